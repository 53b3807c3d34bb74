"""How alike one inBuild record and one QuickBooks record are: a confidence, its kind, and why in a few words.

The hard rules live here: a conflicting code or number, or a generic name without its code, is never high
confidence. Plain Python (no Flask, no SQL).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from qbo.mapping.match_codes import Code, code_relation, codes_of
from qbo.mapping.match_text import compact, identity_core, normalise_name, numbers_in, sorted_words, \
    swapped_letter_in_long_word

HIGH, MEDIUM, LOW = 90, 75, 60
CODE_MATCH, NAME_MATCH, SWAP_MATCH = 100, 95, 92
CONTACT_MATCH_FLOOR, CONTACT_ONLY = 90, 80
EMAIL_BONUS, TAX_BONUS, TAX_PENALTY = 5, 3, 10
NOTED_NAME_MATCH = 85  # the same name but for a note QuickBooks users append: "(Dan Nguyen)", " - Fresno", "#5683"
FUZZY_CEILING = HIGH - 1  # names that merely look alike are never high confidence on their own
DOUBT_CEILING = MEDIUM - 1  # a generic name shared by several records, without its code
OTHER_SYSTEM_CEILING = 65  # a code of another shape (account 5300 beside cost code 03-3000): low at best
CONFLICT_CEILING = LOW - 10  # another code of the same shape: a different record, so no suggestion at all
_APPENDED_NOTE = re.compile(r"\s*(\([^)]*\)|\[[^\]]*\]|\s[-–—]\s.*|#\s*\d+)\s*$")


@dataclass(frozen=True)
class Features:
    """What matching compares of one record, worked out once."""

    codes: tuple[Code, ...]
    whole: str  # the normalised name
    bare: str  # the normalised name without an appended note
    part: str  # the normalised name without its codes
    whole_sorted: str
    part_sorted: str
    whole_core: str
    part_core: str
    numbers: frozenset[str]
    email: str
    tax_tail: str

    def key(self, coded: bool) -> str:
        """The name to compare: without codes when the inBuild side has a code to compare on its own."""
        return self.part if coded else self.whole

    def sorted_key(self, coded: bool) -> str:
        return self.part_sorted if coded else self.whole_sorted

    def core(self, coded: bool) -> str:
        return self.part_core if coded else self.whole_core


def features(names: Iterable[str], code_fields: Iterable[str], email: str = "", tax_id: str = "") -> Features:
    names = [n for n in names if n]
    codes, name_part = codes_of(code_fields, names)
    leaf = names[0].rsplit(":", 1)[-1] if names else ""
    whole, part = normalise_name(leaf), normalise_name(name_part)
    bare = normalise_name(_APPENDED_NOTE.sub("", leaf)) or whole
    return Features(codes, whole, bare, part, sorted_words(whole), sorted_words(part), identity_core(whole),
                    identity_core(part), numbers_in(part), email.strip().casefold(), tax_tail(tax_id))


def tax_tail(tax_id: str) -> str:
    """QuickBooks masks tax ids (XXXXX1234): compare the last four digits."""
    digits = re.sub(r"\D", "", tax_id)
    return digits[-4:] if len(digits) >= 4 else ""


@dataclass(frozen=True)
class Scored:
    confidence: int
    reason: str  # "code", "name", "fuzzy" or "contact"
    why: str
    same_contact: bool


def score_pair(mine: Features, theirs: Features, companies: bool, generic: frozenset[str], code_label: str = "code",
               name_score: float | None = None) -> Scored:
    """The confidence that these two records are one, after the hard rules."""
    coded = bool(mine.codes)
    relation, code = code_relation(mine.codes, theirs.codes)
    wanted, found = mine.key(coded), theirs.key(coded)
    if name_score is None:
        name_score = fuzz.ratio(mine.sorted_key(coded), theirs.sorted_key(coded))
    if companies:
        name_score = min(name_score, fuzz.ratio(mine.core(coded), theirs.core(coded)))
    if relation == "same":
        confidence, reason, why = CODE_MATCH, "code", f"same {code_label} {code.text}"
    elif wanted and (wanted == found or compact(wanted) == compact(found)):
        confidence, reason, why = NAME_MATCH, "name", "same name"
    elif wanted and swapped_letter_in_long_word(wanted, found):
        confidence, reason, why = SWAP_MATCH, "name", "same name but for two swapped letters"
    elif not coded and wanted and theirs.bare != found and compact(wanted) == compact(theirs.bare):
        confidence, reason, why = NOTED_NAME_MATCH, "fuzzy", "same name but for a note"
    else:
        confidence, reason, why = min(int(name_score), FUZZY_CEILING), "fuzzy", f"name {int(name_score)}% alike"
    confidence, reason, why, same_contact = _contact(mine, theirs, confidence, reason, why, name_score)
    confidence, why = _doubts(mine, theirs, relation, code, code_label, generic, same_contact, confidence, why)
    return Scored(max(0, min(confidence, 100)), reason, why, same_contact)


def _contact(mine: Features, theirs: Features, confidence: int, reason: str, why: str, name_score: float):
    """The same e-mail lifts a match (a weak name to medium, a fair one to high); tax id tails nudge it."""
    same_email = bool(mine.email) and mine.email == theirs.email
    if same_email:
        if confidence >= NAME_MATCH:
            confidence, why = confidence + EMAIL_BONUS, f"{why}, same e-mail"
        else:
            floor = CONTACT_MATCH_FLOOR if name_score >= LOW else CONTACT_ONLY
            if confidence < floor:
                confidence, reason = floor, "contact" if reason == "fuzzy" else reason
            why = f"same e-mail, {why}" if reason == "contact" else f"{why}, same e-mail"
    same_tax = bool(mine.tax_tail) and mine.tax_tail == theirs.tax_tail
    if same_tax and confidence >= LOW:
        confidence, why = confidence + TAX_BONUS, f"{why}, same tax ID ending {mine.tax_tail}"
    elif mine.tax_tail and theirs.tax_tail and not same_tax:
        confidence, why = confidence - TAX_PENALTY, f"{why}, tax ID differs"
    return confidence, reason, why, same_email or same_tax


def _doubts(mine: Features, theirs: Features, relation: str, code: Code | None, code_label: str,
            generic: frozenset[str], same_contact: bool, confidence: int, why: str) -> tuple[int, str]:
    if relation == "conflict":
        same_shape = any(_same_shape(mine_code, code) for mine_code in mine.codes)
        ceiling = CONFLICT_CEILING if same_shape else OTHER_SYSTEM_CEILING
        return min(confidence, ceiling), f"{why}; but {code_label} {code.text} differs"
    if mine.numbers and theirs.numbers and mine.numbers != theirs.numbers:
        return min(confidence, OTHER_SYSTEM_CEILING), f"{why}; but the numbers differ"
    coded = bool(mine.codes)
    if relation != "same" and not same_contact and (mine.key(coded) in generic or theirs.key(coded) in generic):
        return min(confidence, DOUBT_CEILING), f"{why}; several records share this name"
    return confidence, why


def _same_shape(first: Code, second: Code) -> bool:
    """Codes of one numbering system: as many digits, letters on both sides or on neither."""
    return len(first.digits) == len(second.digits) and first.has_letters == second.has_letters
