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


@migrations()
def m003_inbuild_records(db: Database) -> None:
    """The inBuild (Procore) records that sync: projects, vendors, cost codes and types, bills, invoices."""
    _run_statements(db, """
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            customer_name TEXT NOT NULL DEFAULT '',
            customer_email TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
            UNIQUE (company_id, number)
        );
        CREATE TABLE vendors (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            vendor_type TEXT NOT NULL CHECK (vendor_type IN ('subcontractor', 'supplier')),
            tax_id TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            UNIQUE (company_id, name)
        );
        CREATE TABLE cost_codes (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            description TEXT NOT NULL,
            UNIQUE (company_id, code)
        );
        CREATE TABLE cost_types (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            UNIQUE (company_id, code)
        );
        CREATE TABLE bills (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            number TEXT NOT NULL,
            vendor_id INTEGER NOT NULL REFERENCES vendors(id),
            project_id INTEGER NOT NULL REFERENCES projects(id),
            commitment_number TEXT NOT NULL DEFAULT '',
            bill_date TEXT NOT NULL,
            due_date TEXT,
            approval_status TEXT NOT NULL CHECK (approval_status IN ('draft', 'pending', 'approved', 'rejected')),
            UNIQUE (company_id, vendor_id, number)
        );
        CREATE TABLE bill_lines (
            id INTEGER PRIMARY KEY,
            bill_id INTEGER NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
            line_number INTEGER NOT NULL,
            cost_code_id INTEGER NOT NULL REFERENCES cost_codes(id),
            cost_type_id INTEGER NOT NULL REFERENCES cost_types(id),
            description TEXT NOT NULL DEFAULT '',
            amount_cents INTEGER NOT NULL,
            UNIQUE (bill_id, line_number)
        );
        CREATE TABLE invoices (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            number TEXT NOT NULL,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            invoice_date TEXT NOT NULL,
            due_date TEXT,
            approval_status TEXT NOT NULL CHECK (approval_status IN ('draft', 'pending', 'approved', 'rejected')),
            UNIQUE (company_id, number)
        );
        CREATE TABLE invoice_lines (
            id INTEGER PRIMARY KEY,
            invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
            line_number INTEGER NOT NULL,
            cost_code_id INTEGER NOT NULL REFERENCES cost_codes(id),
            cost_type_id INTEGER NOT NULL REFERENCES cost_types(id),
            description TEXT NOT NULL DEFAULT '',
            amount_cents INTEGER NOT NULL,
            UNIQUE (invoice_id, line_number)
        );
        CREATE INDEX bills_company ON bills(company_id, bill_date);
        CREATE INDEX invoices_company ON invoices(company_id, invoice_date)
        """)


@migrations()
def m004_mappings(db: Database) -> None:
    """Wizard choices per realm, and inBuild → QuickBooks mappings keyed by (company, realm)."""
    table = db["realm_settings"]
    table.add_column("line_granularity", str, not_null_default="cost_code")
    table.add_column("posting_style", str, not_null_default="account")
    table.add_column("project_mapping", str, not_null_default="customer")
    table.add_column("use_classes", int, not_null_default=0)
    table.add_column("ap_account_id", str)
    table.add_column("ap_account_name", str)
    table.add_column("income_ref_id", str)
    table.add_column("income_ref_name", str)
    table.add_column("wizard_step", str, not_null_default="preferences")
    _run_statements(db, """
        CREATE TABLE mappings (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('vendor', 'project_customer', 'project_job', 'project_class',
                                               'cost_code', 'cost_type')),
            inbuild_id INTEGER NOT NULL,
            qbo_id TEXT,
            qbo_name TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL CHECK (source IN ('suggested', 'accepted', 'manual', 'created')),
            confidence INTEGER NOT NULL DEFAULT 0,
            shared_ok INTEGER NOT NULL DEFAULT 0 CHECK (shared_ok IN (0, 1)),
            status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'stale')),
            stale_reason TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, kind, inbuild_id)
        );
        CREATE INDEX mappings_qbo_record ON mappings(company_id, realm_id, kind, qbo_id)
        """)


@migrations()
def m006_qbo_reference_records(db: Database) -> None:
    """A per-realm copy of the QuickBooks records the wizard maps onto, refreshed from the API."""
    _run_statements(db, """
        CREATE TABLE qbo_reference_records (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            entity TEXT NOT NULL CHECK (entity IN ('Vendor', 'Customer', 'Item', 'Account', 'Class')),
            qbo_id TEXT NOT NULL,
            name TEXT NOT NULL,
            code TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            tax_id TEXT NOT NULL DEFAULT '',
            subtype TEXT NOT NULL DEFAULT '',
            parent_id TEXT,
            is_job INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, entity, qbo_id)
        );
        CREATE TABLE qbo_reference_refreshes (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            entity TEXT NOT NULL,
            refreshed_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, entity)
        )
        """)


@migrations()
def m007_sync(db: Database) -> None:
    """The sync of bills and invoices: one row per record and realm, the runs, and one lease per company."""
    _run_statements(db, """
        CREATE TABLE sync_records (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('bill', 'invoice')),
            record_id INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sending', 'synced', 'waiting', 'failed', 'withdrawn',
                                                   'deleted')),
            version TEXT NOT NULL,
            synced_version TEXT,
            request_id TEXT NOT NULL,
            qbo_id TEXT,
            sync_token TEXT,
            message TEXT NOT NULL DEFAULT '',
            fix_kind TEXT,
            fix_inbuild_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            synced_at TEXT,
            PRIMARY KEY (company_id, realm_id, kind, record_id),
            CHECK (status != 'synced' OR qbo_id IS NOT NULL)
        );
        CREATE INDEX sync_records_status ON sync_records(company_id, realm_id, status);
        CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'retry')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT CHECK (outcome IN ('finished', 'stopped', 'failed')),
            stop_reason TEXT NOT NULL DEFAULT '',
            planned INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            created INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            waiting INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sync_runs_company ON sync_runs(company_id, id);
        CREATE TABLE sync_leases (
            company_id INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
            owner TEXT NOT NULL,
            run_id INTEGER,
            expires_at REAL NOT NULL
        )
        """)


@migrations()
def m008_automatch_and_bulk_create(db: Database) -> None:
    """Why each suggestion was made, the lists auto-match last ran on, FullyQualifiedName, bulk creates."""
    db["mappings"].add_column("match_reason", str, not_null_default="")
    db["qbo_reference_records"].add_column("full_name", str, not_null_default="")
    _run_statements(db, """
        CREATE TABLE automatch_runs (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            inputs_digest TEXT NOT NULL,
            ran_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, kind)
        );
        CREATE TABLE bulk_creates (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            request_key TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'finished')),
            message TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX bulk_creates_company ON bulk_creates(company_id, realm_id, kind, id);
        CREATE TABLE bulk_create_items (
            bulk_id INTEGER NOT NULL REFERENCES bulk_creates(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            inbuild_id INTEGER NOT NULL,
            qbo_name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'created', 'linked', 'failed')),
            chunk INTEGER,
            qbo_id TEXT,
            message TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (bulk_id, inbuild_id)
        )
        """)


@migrations()
def m011_sign_in_limits(db: Database) -> None:
    """Counters for sign-in throttling (Flask-Limiter's fixed windows), shared by every worker process."""
    _run_statements(db, """
        CREATE TABLE rate_limit_counters (
            key TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            expires_at REAL NOT NULL
        )
        """)


@migrations()
def m012_audit_qbo_user(db: Database) -> None:
    """The QuickBooks user an audited action was made as (connect, switch, disconnect, sync)."""
    db["audit_events"].add_column("qbo_user", str)
    db.execute("CREATE INDEX audit_events_action ON audit_events(company_id, action, created_at)")


@migrations()
def m010_webhooks(db: Database) -> None:
    """Intuit's webhook events (one row per event id, so a replay adds nothing), and disconnects made in QuickBooks."""
    _run_statements(db, """
        CREATE TABLE webhook_events (
            event_id TEXT PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            operation TEXT NOT NULL,
            deleted_id TEXT,
            occurred_at TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL,
            claimed_at TEXT,
            processed_at TEXT
        );
        CREATE INDEX webhook_events_due ON webhook_events(status, company_id, received_at);
        CREATE TABLE qbo_disconnect_notices (
            company_id INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            company_name TEXT,
            qbo_user_email TEXT,
            noticed_at TEXT NOT NULL
        )
        """)


@migrations()
def m013_connection_incidents(db: Database) -> None:
    """A connection's expired or error spells, so each one is announced to the admins once, and its end too."""
    _run_statements(db, """
        CREATE TABLE connection_incidents (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('expired', 'error')),
            reason TEXT NOT NULL DEFAULT '',
            opened_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE UNIQUE INDEX connection_incidents_open ON connection_incidents(company_id) WHERE closed_at IS NULL
        """)


@migrations()
def m009_desktop(db: Database) -> None:
    """QuickBooks Desktop through the Web Connector: issued credentials, company files, sessions and their steps."""
    _run_statements(db, """
        CREATE TABLE qbd_company_files (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            file_path TEXT NOT NULL,
            company_name TEXT NOT NULL DEFAULT '',
            product_name TEXT NOT NULL DEFAULT '',
            country TEXT NOT NULL DEFAULT '',
            qbxml_version TEXT NOT NULL DEFAULT '',
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            UNIQUE (company_id, file_path COLLATE NOCASE)
        );
        CREATE TABLE qbd_links (
            company_id INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT,
            credential_version INTEGER NOT NULL DEFAULT 1,
            owner_id TEXT NOT NULL,
            file_id TEXT NOT NULL,
            run_every_minutes INTEGER NOT NULL CHECK (run_every_minutes BETWEEN 1 AND 1440),
            company_file_id INTEGER REFERENCES qbd_company_files(id) ON DELETE SET NULL,
            issued_at TEXT NOT NULL,
            password_issued_at TEXT NOT NULL,
            first_contact_at TEXT,
            last_contact_at TEXT,
            client_version TEXT NOT NULL DEFAULT '',
            last_error TEXT,
            last_error_at TEXT,
            revoked_at TEXT
        );
        CREATE TABLE qbd_sessions (
            id INTEGER PRIMARY KEY,
            ticket_hash TEXT NOT NULL UNIQUE,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            credential_version INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'ended')),
            realm_id TEXT,
            qbxml_version TEXT,
            run_id INTEGER,
            last_error TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        );
        CREATE INDEX qbd_sessions_company ON qbd_sessions(company_id, state);
        CREATE TABLE qbd_steps (
            session_id INTEGER NOT NULL REFERENCES qbd_sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            phase INTEGER NOT NULL,
            purpose TEXT NOT NULL,
            entity TEXT NOT NULL,
            record_kind TEXT,
            record_id INTEGER,
            detail TEXT NOT NULL DEFAULT '{}',
            request_xml TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'done', 'failed')),
            PRIMARY KEY (session_id, seq)
        );
        CREATE TABLE qbd_list_pages (
            session_id INTEGER NOT NULL REFERENCES qbd_sessions(id) ON DELETE CASCADE,
            entity TEXT NOT NULL,
            qbo_id TEXT NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (session_id, entity, qbo_id)
        );
        CREATE TABLE qbd_list_adds (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('vendor', 'project_customer', 'project_job')),
            inbuild_id INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'done', 'failed')),
            list_id TEXT,
            edit_sequence TEXT,
            message TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, kind, inbuild_id)
        )
        """)


@migrations()
def m014_disconnects_in_quickbooks(db: Database) -> None:
    """How a disconnect inside QuickBooks was learned (the Disconnect URL landing, or a refused refresh), and such a
    disconnect as an incident kind, so admins are told of it like an expiry."""
    _run_statements(db, """
        ALTER TABLE qbo_disconnect_notices ADD COLUMN learned_from TEXT NOT NULL DEFAULT 'disconnect_url';
        CREATE TABLE connection_incidents_new (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('expired', 'error', 'disconnected_in_quickbooks')),
            reason TEXT NOT NULL DEFAULT '',
            opened_at TEXT NOT NULL,
            closed_at TEXT
        );
        INSERT INTO connection_incidents_new SELECT id, company_id, kind, reason, opened_at, closed_at
            FROM connection_incidents;
        DROP TABLE connection_incidents;
        ALTER TABLE connection_incidents_new RENAME TO connection_incidents;
        CREATE UNIQUE INDEX connection_incidents_open ON connection_incidents(company_id) WHERE closed_at IS NULL
        """)


@migrations()
def m015_payments_back(db: Database) -> None:
    """Payments read back from QuickBooks: each synced record's paid status, the payments and the records they
    touch (a deleted payment comes back as an Id only), and a change-data-capture cursor per company and realm."""
    _run_statements(db, """
        CREATE TABLE payment_statuses (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('bill', 'invoice')),
            record_id INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'partly_paid', 'paid')),
            total_cents INTEGER NOT NULL,
            balance_cents INTEGER NOT NULL,
            paid_on TEXT,
            read_token TEXT NOT NULL DEFAULT '',
            checked_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, kind, record_id)
        );
        CREATE TABLE qbo_payments (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            entity TEXT NOT NULL CHECK (entity IN ('BillPayment', 'Payment')),
            payment_id TEXT NOT NULL,
            txn_date TEXT,
            PRIMARY KEY (company_id, realm_id, entity, payment_id)
        );
        CREATE TABLE payment_links (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            entity TEXT NOT NULL CHECK (entity IN ('BillPayment', 'Payment')),
            payment_id TEXT NOT NULL,
            qbo_id TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id, entity, payment_id, qbo_id)
        );
        CREATE INDEX payment_links_document ON payment_links(company_id, realm_id, entity, qbo_id);
        CREATE TABLE payment_cursors (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            changed_since TEXT,
            attempted_at TEXT NOT NULL,
            checked_at TEXT,
            last_outcome TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (company_id, realm_id)
        )
        """)


@migrations()
def m016_desktop_payment_reads(db: Database) -> None:
    """When payments were last read back from each QuickBooks Desktop company file (through the Web Connector)."""
    _run_statements(db, """
        CREATE TABLE qbd_payment_reads (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            realm_id TEXT NOT NULL,
            read_at TEXT NOT NULL,
            PRIMARY KEY (company_id, realm_id)
        )
        """)
