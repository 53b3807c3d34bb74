"""The combobox's options: a few of the realm's stored QuickBooks records per keystroke, never another realm's."""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlite_utils import Database

from qbo.mapping.kinds import candidates_for, kind_spec
from qbo.mapping.reference_records import search_records
from qbo.mapping.suggestions import best_candidates

OPTIONS_SHOWN = 8
TYPO_FLOOR = 70  # a typed name this alike still finds the record ("fergusen")


@dataclass(frozen=True)
class Option:
    qbo_id: str
    name: str
    note: str  # the code, or why auto-match ranks it here


def find_options(db: Database, company_id: int, realm_id: str, kind: str, settings, inbuild_id: int,
                 typed: str) -> list[Option]:
    """With nothing typed, the row's closest records; else names or codes containing the text, then near misses."""
    typed = " ".join(typed.split())[:100]
    if not typed:
        return [Option(m.qbo_id, m.qbo_name, f"{m.confidence}% · {m.why}")
                for m in best_candidates(db, company_id, realm_id, kind, settings, inbuild_id, OPTIONS_SHOWN)]
    spec = kind_spec(kind, settings)
    found = search_records(db, company_id, realm_id, spec.entity, typed, spec.subtypes, spec.jobs, OPTIONS_SHOWN)
    options = [Option(r.qbo_id, r.name, r.code) for r in found]
    if len(options) < OPTIONS_SHOWN:
        options += _near_misses(db, company_id, realm_id, kind, settings, typed, {o.qbo_id for o in options},
                                OPTIONS_SHOWN - len(options))
    return options


def _near_misses(db: Database, company_id: int, realm_id: str, kind: str, settings, typed: str, shown: set[str],
                 wanted: int) -> list[Option]:
    records = [r for r in candidates_for(db, company_id, realm_id, kind, settings) if r.qbo_id not in shown]
    close = process.extract(typed, [r.name for r in records], scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=wanted, score_cutoff=TYPO_FLOOR)
    return [Option(records[i].qbo_id, records[i].name, records[i].code) for _, _, i in close]
