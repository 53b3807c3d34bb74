"""Which QuickBooks records are worth scoring for each inBuild record, without scoring every pair in Python.

Blocking by code, compact name, e-mail and tax id finds the sure pairs through dictionaries; rapidfuzz's
vectorised `process.cdist` (in C, on every core, in row chunks so memory stays bounded) finds the closest names.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from qbo.mapping.match_scoring import Features
from qbo.mapping.match_text import compact

NEAREST_PER_SUBJECT = 6
NAME_SCORE_FLOOR = 50  # below this, names are too unlike to be worth scoring
ROWS_PER_CHUNK = 1000  # 1,000 × 5,000 one-byte scores: 5 MB at a time


def candidate_pairs(mine: Sequence[Features], theirs: Sequence[Features],
                    per_subject: int = NEAREST_PER_SUBJECT) -> list[dict[int, float | None]]:
    """For each subject: candidate index → its name score from cdist (None when found by blocking only)."""
    pairs: list[dict[int, float | None]] = [{} for _ in mine]
    if not mine or not theirs:
        return pairs
    for coded in (True, False):
        rows = [i for i, f in enumerate(mine) if bool(f.codes) == coded]
        if rows:
            _nearest_names(pairs, rows, [mine[i].sorted_key(coded) for i in rows],
                           [f.sorted_key(coded) for f in theirs], per_subject)
    _blocked(pairs, mine, theirs)
    return pairs


def _nearest_names(pairs: list[dict], rows: list[int], queries: list[str], choices: list[str], per_subject: int):
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        scores = process.cdist(queries[start:start + ROWS_PER_CHUNK], choices, scorer=fuzz.ratio, dtype=np.uint8,
                               workers=-1, score_cutoff=NAME_SCORE_FLOOR)
        for offset, row in enumerate(scores):
            found = np.flatnonzero(row)
            if len(found) > per_subject:
                found = found[np.argpartition(row[found], -per_subject)[-per_subject:]]
            target = pairs[rows[start + offset]]
            for index in found.tolist():
                target[index] = float(row[index])


def _blocked(pairs: list[dict], mine: Sequence[Features], theirs: Sequence[Features]) -> None:
    """Pairs that share a code, a compact name, an e-mail or a tax id tail, whatever cdist thought of the names."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(theirs):
        for key in _keys(record, for_subject=False):
            by_key[key].append(index)
    for subject_index, record in enumerate(mine):
        target = pairs[subject_index]
        for key in _keys(record, for_subject=True):
            for index in by_key.get(key, ()):
                target.setdefault(index, None)


def _keys(record: Features, for_subject: bool) -> set[str]:
    keys = {f"code:{code.digits or code.full}" for code in record.codes}
    names = [record.whole, record.part, record.bare] if not for_subject else [record.key(bool(record.codes))]
    keys.update(f"name:{compact(name)}" for name in names if name)
    if record.email:
        keys.add(f"email:{record.email}")
    if record.tax_tail:
        keys.add(f"tax:{record.tax_tail}")
    return keys
