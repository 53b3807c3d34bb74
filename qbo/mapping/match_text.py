"""Names as auto-match compares them: normalised, compacted, sorted, and cut down to the words that identify.

Plain Python (no Flask, no SQL).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

# Trade words say what a company does, not who it is: "Ace Plumbing" and "Allied Plumbing" are strangers.
TRADE_WORDS = frozenset("""
    and of the construction constructors contractor contractors contracting services service supply supplies group
    systems builders building company enterprises industries solutions plumbing heating cooling hvac electric
    electrical concrete drywall roofing painting masonry steel glass glazing mechanical fire protection rental
    rentals lumber paving landscaping insulation flooring framing excavation demolition sitework survey surveying
    equipment materials
""".split())
_LEGAL_SUFFIXES = re.compile(r"\b(inc|incorporated|llc|l l c|ltd|limited|co|corp|corporation|company|lp|llp|pllc)\b")
# Spellings QuickBooks users shorten; expanded so "Precision HVAC Svcs" reads as "... services".
ABBREVIATIONS = {
    "svc": "service", "svcs": "services", "srvcs": "services", "bros": "brothers", "mech": "mechanical",
    "elec": "electric", "const": "construction", "constr": "construction", "assoc": "associates",
    "assocs": "associates", "mfg": "manufacturing", "intl": "international", "natl": "national",
    "mgmt": "management", "equip": "equipment", "contr": "contractors", "engr": "engineering", "dev": "development",
    "mtn": "mountain", "ft": "fort", "mt": "mount", "sta": "station", "bldg": "building", "ctr": "center",
}
TYPO_TOLERANT_LENGTH = 5  # a trade word misspelt by one swap ("framnig") is still a trade word from this length


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Case, accents, punctuation, '&' vs 'and', legal suffixes (Inc., LLC ...) and a leading 'The' do not matter."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _LEGAL_SUFFIXES.sub(" ", text)
    words = [ABBREVIATIONS.get(word, word) for word in text.split() if not _misspelt_legal_suffix(word)]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def compact(normal_name: str) -> str:
    """Spacing does not matter either: 'north star' and 'northstar' are one name."""
    return normal_name.replace(" ", "")


def sorted_words(normal_name: str) -> str:
    """The words in alphabetical order, so word order does not matter to a plain ratio."""
    return " ".join(sorted(normal_name.split()))


_LONG_LEGAL_SUFFIXES = ("incorporated", "corporation", "limited", "company")


@lru_cache(maxsize=65536)
def _misspelt_legal_suffix(word: str) -> bool:
    return len(word) >= TYPO_TOLERANT_LENGTH and any(one_swap_apart(word, s) for s in _LONG_LEGAL_SUFFIXES)


@lru_cache(maxsize=65536)
def is_trade_word(word: str) -> bool:
    if word in TRADE_WORDS:
        return True
    return len(word) >= TYPO_TOLERANT_LENGTH and any(
        len(trade) >= TYPO_TOLERANT_LENGTH and one_swap_apart(word, trade) for trade in TRADE_WORDS)


@lru_cache(maxsize=65536)
def identity_core(normal_name: str) -> str:
    """A normalised name without its trade words: the part that tells one company from another."""
    core = " ".join(w for w in normal_name.split() if not is_trade_word(w))
    return core or normal_name


def numbers_in(normal_name: str) -> frozenset[str]:
    """The numbers a name carries ('Fire Station No. 7', 'Vendor 0012'), leading zeros ignored."""
    return frozenset(n.lstrip("0") or "0" for n in re.findall(r"\d+", normal_name))


def one_swap_apart(first: str, second: str) -> bool:
    """Whether two strings differ only by two neighbouring characters swapped ('framnig' / 'framing')."""
    if len(first) != len(second) or first == second:
        return False
    differ = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
    return len(differ) == 2 and differ[1] == differ[0] + 1 and first[differ[0]] == second[differ[1]] \
        and first[differ[1]] == second[differ[0]]


def swapped_letter_in_long_word(first: str, second: str) -> bool:
    """The same words but one, which has a letter swapped and is long enough for that to be a typo."""
    words_a, words_b = first.split(), second.split()
    if len(words_a) != len(words_b):
        return False
    differing = [(a, b) for a, b in zip(words_a, words_b) if a != b]
    return len(differing) == 1 and len(differing[0][0]) >= TYPO_TOLERANT_LENGTH and one_swap_apart(*differing[0])


def company_similarity(whole_score: float, wanted: str, found: str) -> float:
    """For company names: the whole-name score, capped by how alike the identifying parts are."""
    return min(whole_score, fuzz.ratio(identity_core(wanted), identity_core(found)))
