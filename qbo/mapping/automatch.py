"""Auto-match inBuild records to QuickBooks records: exact code, then normalised name, then fuzzy name.

Plain Python (no Flask, no SQL). Confidence is 0-100; ties are broken by e-mail and tax id.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

HIGH, MEDIUM, LOW = 90, 75, 60
CODE_MATCH, NAME_MATCH = 100, 95
CONTACT_MATCH_FLOOR = 90
CANDIDATES_PER_SUBJECT = 5
# Trade words say what a company does, not who it is: "Ace Plumbing" and "Allied Plumbing" are strangers.
TRADE_WORDS = frozenset("""
    and of the construction constructors contractor contractors contracting services service supply supplies group
    systems builders building company enterprises industries solutions plumbing heating cooling hvac electric
    electrical concrete drywall roofing painting masonry steel glass glazing mechanical fire protection rental
    rentals lumber paving landscaping insulation flooring framing excavation demolition sitework survey surveying
    equipment materials
""".split())
_LEGAL_SUFFIXES = re.compile(r"\b(inc|incorporated|llc|l l c|ltd|limited|co|corp|corporation|company|lp|llp|pllc)\b")


@dataclass(frozen=True)
class Subject:
    """An inBuild record to match (vendor, project, cost code or cost type)."""

    inbuild_id: int
    name: str
    code: str = ""
    email: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class Candidate:
    """A QuickBooks record it could map to."""

    qbo_id: str
    name: str
    code: str = ""
    email: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class Match:
    inbuild_id: int
    qbo_id: str | None
    qbo_name: str
    confidence: int
    reason: str  # "code", "name", "fuzzy", "contact" or "none"

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


def normalise_name(name: str) -> str:
    """Case, accents, punctuation, '&' vs 'and' and legal suffixes (Inc., LLC ...) do not matter."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _LEGAL_SUFFIXES.sub(" ", text)
    return " ".join(text.split())


def identity_core(normal_name: str) -> str:
    """A normalised name without its trade words: the part that tells one company from another."""
    core = " ".join(w for w in normal_name.split() if w not in TRADE_WORDS)
    return core or normal_name


def _fuzzy_confidence(score: float, wanted: str, found: str) -> int:
    """The whole-name score, capped by how alike the identifying parts are."""
    return int(min(score, fuzz.ratio(identity_core(wanted), identity_core(found))))


def _normalise_code(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", code.casefold())


def _tax_tail(tax_id: str) -> str:
    """QuickBooks masks tax ids (XXXXX1234): compare the last four digits."""
    digits = re.sub(r"\D", "", tax_id)
    return digits[-4:] if len(digits) >= 4 else ""


def _same_contact(subject: Subject, candidate: Candidate) -> bool:
    same_email = bool(subject.email) and subject.email.strip().casefold() == candidate.email.strip().casefold()
    tail = _tax_tail(subject.tax_id)
    return same_email or (bool(tail) and tail == _tax_tail(candidate.tax_id))


def rank_candidates(
    subject: Subject, candidates: Sequence[Candidate], names: Sequence[str], companies: bool = False
) -> list[Match]:
    """This subject's best candidates, best first (names: the candidates' normalised names).

    With `companies`, names are company names, so trade words do not count towards a match.
    """
    code = _normalise_code(subject.code)
    ranked: dict[int, tuple[int, str]] = {}
    if code:
        for index, candidate in enumerate(candidates):
            if candidate.code and _normalise_code(candidate.code) == code:
                ranked[index] = (CODE_MATCH, "code")
    wanted = normalise_name(subject.name)
    for _, score, index in process.extract(
        wanted, names, scorer=fuzz.token_sort_ratio, processor=utils.default_process,
        limit=CANDIDATES_PER_SUBJECT, score_cutoff=LOW - 15,
    ):
        if names[index] == wanted and wanted:
            confidence, reason = NAME_MATCH, "name"
        else:
            capped = _fuzzy_confidence(score, wanted, names[index]) if companies else int(score)
            confidence, reason = capped, "fuzzy"
        if _same_contact(subject, candidates[index]):  # a weak name match, but the same e-mail or tax id
            confidence, reason = max(confidence, CONTACT_MATCH_FLOOR), "contact" if reason == "fuzzy" else reason
        if confidence > ranked.get(index, (-1, ""))[0]:
            ranked[index] = (confidence, reason)
    order = sorted(ranked.items(), key=lambda item: (-item[1][0], not _same_contact(subject, candidates[item[0]])))
    return [
        Match(subject.inbuild_id, candidates[i].qbo_id, candidates[i].name, confidence, reason)
        for i, (confidence, reason) in order
        if confidence >= LOW
    ]


def auto_match(
    subjects: Iterable[Subject], candidates: Sequence[Candidate], one_to_one: bool, companies: bool = False
) -> list[Match]:
    """The best match for every subject; with one_to_one, no QuickBooks record is used twice.

    `companies`: the names are of companies (vendors, customers), where trade words say little.
    """
    subjects = list(subjects)
    names = [normalise_name(c.name) for c in candidates]
    options = {s.inbuild_id: rank_candidates(s, candidates, names, companies) for s in subjects}
    if not one_to_one:
        return [options[s.inbuild_id][0] if options[s.inbuild_id] else _no_match(s) for s in subjects]
    return _assign_one_to_one(subjects, options)


def _assign_one_to_one(subjects: list[Subject], options: dict[int, list[Match]]) -> list[Match]:
    """Greedy by confidence: the strongest claims on a QuickBooks record win; others fall to their next best."""
    claims = sorted(
        (match for ranked in options.values() for match in ranked),
        key=lambda m: (-m.confidence, m.inbuild_id),
    )
    chosen: dict[int, Match] = {}
    taken: set[str] = set()
    for match in claims:
        if match.inbuild_id not in chosen and match.qbo_id not in taken:
            chosen[match.inbuild_id] = match
            taken.add(match.qbo_id)
    return [chosen.get(s.inbuild_id) or _no_match(s) for s in subjects]


def _no_match(subject: Subject) -> Match:
    return Match(subject.inbuild_id, None, "", 0, "none")
