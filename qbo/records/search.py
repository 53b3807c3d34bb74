"""The SQL clauses the record stores share: a case-insensitive search across columns, and one page of rows."""
from __future__ import annotations

from collections.abc import Sequence


def _like_pattern(search: str) -> str:
    escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(columns: Sequence[str], search: str) -> tuple[str, list]:
    """An `AND (... LIKE ...)` clause over the columns, or nothing for an empty search. LIKE is case-insensitive."""
    if not search.strip():
        return "", []
    clause = " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in columns)
    return f" AND ({clause})", [_like_pattern(search)] * len(columns)


def page_clause(offset: int, limit: int | None) -> tuple[str, list]:
    """A `LIMIT ... OFFSET ...` clause; no limit means every row from the offset on."""
    if limit is None:
        return " LIMIT -1 OFFSET ?", [max(0, offset)]
    return " LIMIT ? OFFSET ?", [max(0, limit), max(0, offset)]
