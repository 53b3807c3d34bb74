"""Re-encrypting stored tokens under the primary key, so older keys can be retired."""
from __future__ import annotations

from sqlite_utils import Database

from qbo.connection.crypto import TokenCipher
from qbo.storage.db import immediate

ENCRYPTED_COLUMNS = {
    "connections": ("access_token_enc", "refresh_token_enc"),
    "pending_revocations": ("token_enc",),
}


def reencrypt_all(db: Database, cipher: TokenCipher) -> int:
    """Rewrite every ciphertext not under the primary key; one short transaction per row."""
    count = 0
    for table, columns in ENCRYPTED_COLUMNS.items():
        for column in columns:
            rows = list(db.query(f"SELECT id, {column} AS value FROM {table} WHERE {column} IS NOT NULL"))
            for row in rows:
                if cipher.needs_rotation(row["value"]):
                    count += _reencrypt_row(db, cipher, table, column, row["id"])
    return count


def _reencrypt_row(db: Database, cipher: TokenCipher, table: str, column: str, row_id: int) -> int:
    with immediate(db):
        current = db.execute(f"SELECT {column} FROM {table} WHERE id = ?", [row_id]).fetchone()
        if current is None or current[0] is None or not cipher.needs_rotation(current[0]):
            return 0  # changed meanwhile (e.g. a refresh wrote a new token under the primary key)
        db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", [cipher.reencrypt(current[0]), row_id])
    return 1


def key_ids_in_use(db: Database) -> set[str]:
    """Every key id some stored ciphertext names."""
    found: set[str] = set()
    for table, columns in ENCRYPTED_COLUMNS.items():
        for column in columns:
            rows = db.execute(
                f"SELECT DISTINCT substr({column}, 1, instr({column}, ':') - 1) FROM {table} WHERE {column} IS NOT NULL"
            ).fetchall()
            found.update(row[0] for row in rows)
    return found


def refuse_missing_keys(db: Database, cipher: TokenCipher) -> None:
    """Fail at startup, not mid-sync, when stored tokens need a key that is no longer configured."""
    missing = key_ids_in_use(db) - cipher.key_ids
    if missing:
        raise RuntimeError(
            f"Stored tokens are encrypted with key(s) {', '.join(sorted(missing))} that TOKEN_ENCRYPTION_KEYS no "
            "longer lists. Add the key back, run `flask rotate-token-key`, then retire it."
        )
