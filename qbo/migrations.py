"""Append-only schema steps. A step that has run on any database is never edited; add a new one."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("inbuild")


def _run_statements(db: Database, script: str) -> None:
    """Run each statement inside the migration's transaction (executescript would commit it)."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_accounts(db: Database) -> None:
    _run_statements(db, 
        """
        CREATE TABLE companies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            accounting_integrations INTEGER NOT NULL DEFAULT 0 CHECK (accounting_integrations IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE memberships (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('Company Admin', 'Standard')),
            PRIMARY KEY (company_id, user_id)
        );
        CREATE TABLE login_sessions (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX login_sessions_user ON login_sessions(user_id);
        """
    )


@migrations()
def m002_connections(db: Database) -> None:
    _run_statements(db, 
        """
        CREATE TABLE connections (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('qbo', 'qbd')),
            state TEXT NOT NULL CHECK (state IN ('connected', 'expired', 'error', 'disconnected')),
            realm_id TEXT,
            environment TEXT,
            company_name TEXT,
            qbo_user_sub TEXT,
            qbo_user_email TEXT,
            qbo_user_name TEXT,
            access_token_enc TEXT,
            refresh_token_enc TEXT,
            access_expires_at TEXT,
            refresh_expires_at TEXT,
            refresh_hard_expires_at TEXT,
            token_version INTEGER NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_until TEXT,
            refresh_failures INTEGER NOT NULL DEFAULT 0,
            refresh_cooldown_until TEXT,
            last_error TEXT,
            last_checked_at TEXT,
            last_sync_at TEXT,
            connected_at TEXT,
            disconnected_at TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (company_id, provider)
        );
        -- Only one accounting integration may be active per company.
        CREATE UNIQUE INDEX connections_one_active_per_company
            ON connections(company_id) WHERE state != 'disconnected';
        -- A QuickBooks company is linked to at most one inBuild company at a time.
        CREATE UNIQUE INDEX connections_realm_single_tenant
            ON connections(provider, realm_id) WHERE state != 'disconnected' AND realm_id IS NOT NULL;

        CREATE TABLE realm_settings (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            sync_bills INTEGER NOT NULL DEFAULT 1 CHECK (sync_bills IN (0, 1)),
            sync_invoices INTEGER NOT NULL DEFAULT 1 CHECK (sync_invoices IN (0, 1)),
            sync_start_date TEXT,
            setup_complete INTEGER NOT NULL DEFAULT 0 CHECK (setup_complete IN (0, 1)),
            sync_enabled INTEGER NOT NULL DEFAULT 1 CHECK (sync_enabled IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id)
        );

        CREATE TABLE audit_events (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            action TEXT NOT NULL,
            provider TEXT,
            realm_id TEXT,
            detail TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX audit_events_company ON audit_events(company_id, created_at);

        CREATE TABLE pending_revocations (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT,
            token_enc TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL
        );

        CREATE TABLE oauth_state_cache (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            expires_at REAL NOT NULL
        );
        """
    )
