"""Auto-match inBuild records to QuickBooks records: codes read out of names, then names, then contacts.

Plain Python (no Flask, no SQL). Confidence is 0-100 and every match says why. Candidates come from blocking
(same code, same compact name, same e-mail or tax id) plus the closest names by rapidfuzz's vectorised cdist,
so 5,000 × 5,000 records match in about a second. High confidence (≥ 90) is what an admin may accept blindly:
never with a conflicting code or number, never for a tie, never for a generic name without its code.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qbo.mapping.match_blocking import candidate_pairs
from qbo.mapping.match_scoring import HIGH, LOW, MEDIUM, Features, Scored, features, score_pair
from qbo.mapping.match_text import normalise_name

TIE_MARGIN = 3  # two candidates within this many points are equally good
TIE_CEILING = HIGH - 1
__all__ = ["HIGH", "MEDIUM", "LOW", "Subject", "Candidate", "Match", "auto_match", "rank_candidates",
           "confidence_level", "normalise_name"]


@dataclass(frozen=True)
class Subject:
    """An inBuild record to match (vendor, project, cost code or cost type)."""

    inbuild_id: int
    name: str
    code: str = ""
    email: str = ""
    tax_id: str = ""
    code_label: str = "code"  # how the reasons call the code: "code", "number"


@dataclass(frozen=True)
class Candidate:
    """A QuickBooks record it could map to."""

    qbo_id: str
    name: str
    code: str = ""  # Sku or AcctNum
    email: str = ""
    tax_id: str = ""
    full_name: str = ""  # FullyQualifiedName


@dataclass(frozen=True)
class Match:
    inbuild_id: int
    qbo_id: str | None
    qbo_name: str
    confidence: int
    reason: str  # "code", "name", "fuzzy", "contact" or "none"
    why: str = ""  # in a few words, for the admin: "same code 01-7900", "name 94% alike"

    @property
    def level(self) -> str:
        return confidence_level(self.confidence)


def confidence_level(confidence: int) -> str:
    if confidence >= HIGH:
        return "high"
    if confidence >= MEDIUM:
        return "medium"
    if confidence >= LOW:
        return "low"
    return "none"


def subject_features(subject: Subject) -> Features:
    return features([subject.name], [subject.code], subject.email, subject.tax_id)


def candidate_features(candidate: Candidate) -> Features:
    return features([candidate.name, candidate.full_name], [candidate.code], candidate.email, candidate.tax_id)


def generic_names(subjects: Sequence[Features], candidates: Sequence[Features]) -> frozenset[str]:
    """Names that several records on one side share ("General Requirements"): they say little without a code."""
    shared: set[str] = set()
    for side in (subjects, candidates):
        for coded in (True, False):
            counts = Counter(f.key(coded) for f in side if f.key(coded))
            shared.update(name for name, count in counts.items() if count > 1)
    return frozenset(shared)


def auto_match(
    subjects: Iterable[Subject], candidates: Sequence[Candidate], one_to_one: bool, companies: bool = False
) -> list[Match]:
    """The best match for every subject; with one_to_one, no QuickBooks record is used twice.

    `companies`: the names are of companies (vendors, customers), where trade words say little.
    """
    subjects = list(subjects)
    mine = [subject_features(s) for s in subjects]
    theirs = [candidate_features(c) for c in candidates]
    generic = generic_names(mine, theirs)
    options = {
        subject.inbuild_id: _ranked(subject, candidates, mine[i], theirs, pairs, companies, generic)
        for i, (subject, pairs) in enumerate(zip(subjects, candidate_pairs(mine, theirs)))
    }
    if not one_to_one:
        return [(options[s.inbuild_id] or [_no_match(s)])[0] for s in subjects]
    return _assign_one_to_one(subjects, options)


def rank_candidates(subject: Subject, candidates: Sequence[Candidate], companies: bool = False,
                    limit: int = 8) -> list[Match]:
    """One subject's best candidates, best first (the combobox's suggestions for a row)."""
    mine = subject_features(subject)
    theirs = [candidate_features(c) for c in candidates]
    generic = generic_names([mine], theirs)
    pairs = candidate_pairs([mine], theirs, per_subject=limit)[0]
    return _ranked(subject, candidates, mine, theirs, pairs, companies, generic)[:limit]


def _ranked(subject: Subject, candidates: Sequence[Candidate], mine: Features, theirs: Sequence[Features],
            pairs: dict[int, float | None], companies: bool, generic: frozenset[str]) -> list[Match]:
    """Scored candidates, best first, with the tie rule applied to the best."""
    scored: list[tuple[Scored, int]] = [
        (score_pair(mine, theirs[index], companies, generic, subject.code_label, name_score), index)
        for index, name_score in pairs.items()
    ]
    scored = [(s, i) for s, i in scored if s.confidence >= LOW]
    scored.sort(key=lambda item: (-item[0].confidence, not item[0].same_contact, candidates[item[1]].name))
    matches = [Match(subject.inbuild_id, candidates[i].qbo_id, candidates[i].name, s.confidence, s.reason, s.why)
               for s, i in scored]
    if len(matches) > 1 and matches[0].confidence >= HIGH and \
            matches[1].confidence >= matches[0].confidence - TIE_MARGIN:
        best = matches[0].confidence
        matches = [_doubted(m, f"“{matches[1 if i == 0 else 0].qbo_name}” is as close")
                   if m.confidence >= best - TIE_MARGIN else m for i, m in enumerate(matches)]
    return matches


def _doubted(match: Match, why: str) -> Match:
    return Match(match.inbuild_id, match.qbo_id, match.qbo_name, min(match.confidence, TIE_CEILING), match.reason,
                 f"{match.why}; but {why}")


def _assign_one_to_one(subjects: list[Subject], options: dict[int, list[Match]]) -> list[Match]:
    """Greedy by confidence: the strongest claims on a QuickBooks record win; others fall to their next best.

    A claim that wins over another as strong (an inBuild duplicate, say) is not high confidence.
    """
    claims = sorted((match for ranked in options.values() for match in ranked),
                    key=lambda m: (-m.confidence, m.inbuild_id))
    claims_on: dict[str, list[Match]] = defaultdict(list)
    for claim in claims:
        claims_on[claim.qbo_id].append(claim)
    chosen: dict[int, Match] = {}
    taken: set[str] = set()
    for match in claims:
        if match.inbuild_id in chosen or match.qbo_id in taken:
            continue
        rival = next((m for m in claims_on[match.qbo_id] if m.inbuild_id != match.inbuild_id
                      and m.inbuild_id not in chosen), None)
        if match.confidence >= HIGH and rival is not None and rival.confidence >= match.confidence - TIE_MARGIN:
            match = _doubted(match, "another inBuild record is as close")
        chosen[match.inbuild_id] = match
        taken.add(match.qbo_id)
    return [chosen.get(s.inbuild_id) or _no_match(s) for s in subjects]


def _no_match(subject: Subject) -> Match:
    return Match(subject.inbuild_id, None, "", 0, "none")
