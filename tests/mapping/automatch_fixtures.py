"""Noisy QuickBooks spellings of realistic construction records, with decoys, and the right answer for each.

Built for measuring auto-match (tests/mapping/test_automatch_quality.py, benchmarks/bench_automatch_quality.py).
Deterministic: the same seed gives the same lists. The noise is what real QuickBooks companies hold: case,
legal suffixes, "&"/"and", punctuation, spacing, a swapped letter, a leading "The", abbreviations, a dropped
or added word, codes and numbers written into names; the decoys are other companies, projects and cost
codes whose names are close (same name with another code, another company in the same trade).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.mapping.fixture_names import (
    COST_CODES,
    DECOY_COST_CODES,
    PROJECT_DECOYS,
    PROJECTS,
    VENDOR_DECOYS,
    VENDORS,
)


@dataclass(frozen=True)
class InbuildRecord:
    inbuild_id: int
    name: str  # vendor name, project name, or cost code description
    code: str = ""  # project number or cost code
    email: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class QuickBooksRecord:
    qbo_id: str
    name: str  # as stored: DisplayName, or FullyQualifiedName for items and accounts
    code: str = ""  # Sku or AcctNum
    email: str = ""
    tax_id: str = ""
    full_name: str = ""


@dataclass
class MatchCase:
    kind: str
    one_to_one: bool
    companies: bool
    subjects: list[InbuildRecord] = field(default_factory=list)
    candidates: list[QuickBooksRecord] = field(default_factory=list)
    truth: dict[int, str | None] = field(default_factory=dict)

    def add_candidate(self, name: str, **fields) -> str:
        qbo_id = str(1000 + len(self.candidates))
        self.candidates.append(QuickBooksRecord(qbo_id, name, **fields))
        return qbo_id


# --- noise ------------------------------------------------------------------------------------------------------

SUFFIXES = ("Inc.", "Inc", "LLC", "L.L.C.", "Co.", "Company", "Corp.", "Corporation", "Ltd")


def _strip_suffix(name: str) -> str:
    words = name.replace(",", "").split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1].rstrip(".") in {s.rstrip(".") for s in SUFFIXES} \
        else name.replace(",", "")


def swap_letters(name: str, rng: random.Random) -> str:
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_words:
        return name
    i = rng.choice(long_words)
    word = words[i]
    at = rng.randrange(1, len(word) - 2)
    words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words)


LISTED_NOISE = {  # the kinds of noise the issue names: a match must survive each
    "case": lambda n, r: r.choice((n.upper(), n.lower(), n.title())),
    "suffix": lambda n, r: f"{_strip_suffix(n)}{r.choice((', ', ' '))}{r.choice(SUFFIXES)}",
    "no suffix": lambda n, r: _strip_suffix(n),
    "ampersand": lambda n, r: n.replace(" & ", " and ") if "&" in n else n.replace(" and ", " & "),
    "punctuation": lambda n, r: n.replace(",", "").replace(".", "").replace("-", " ") + r.choice(("", ".")),
    "spacing": lambda n, r: n.replace(" ", "  ", 1) if r.random() < .5 else n.replace("-", ""),
    "swap": swap_letters,
    "the": lambda n, r: f"The {n}",
    "case+suffix": lambda n, r: _strip_suffix(n).upper() + " LLC",
}
HARDER_NOISE = {  # what people also do, which may only reach medium confidence
    "abbreviation": lambda n, r: n.replace("Services", "Svcs").replace("Mechanical", "Mech.")
    .replace("Brothers", "Bros.").replace("Company", "Co").replace("Construction", "Const."),
    "dropped word": lambda n, r: " ".join(_strip_suffix(n).split()[:-1]) if len(_strip_suffix(n).split()) > 2 else n,
    "location": lambda n, r: f"{_strip_suffix(n)} - {r.choice(('Sacramento', 'Oakland', 'Reno', 'Fresno'))}",
    "missing letter": lambda n, r: _drop_letter(n, r),
    "contact person": lambda n, r: f"{_strip_suffix(n)} ({r.choice(('Tony', 'Maria', 'Dan', 'Erin'))} "
                                   f"{r.choice(('Russo', 'Lopez', 'Walsh', 'Nguyen'))})",
    "account number": lambda n, r: f"{n} #{r.randint(100, 9999)}",
}


def _drop_letter(name: str, rng: random.Random) -> str:
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_words:
        return name.lower()
    i = rng.choice(long_words)
    at = rng.randrange(2, len(words[i]) - 1)
    words[i] = words[i][:at] + words[i][at + 1:]
    return " ".join(words)


def noisy(name: str, rng: random.Random, harder_share: float = .2, twice_share: float = .25) -> str:
    """One kind of noise (two, now and then); a share of the harder kinds."""
    table = HARDER_NOISE if rng.random() < harder_share else LISTED_NOISE
    spelt = table[rng.choice(sorted(table))](name, rng)
    if rng.random() < twice_share:
        spelt = LISTED_NOISE[rng.choice(sorted(LISTED_NOISE))](spelt, rng)
    return spelt


def _email(name: str) -> str:
    return "ap@" + "".join(ch for ch in name.lower() if ch.isalnum())[:16] + ".example"


# --- the three cases ---------------------------------------------------------------------------------------------

def vendor_case(seed: int = 8) -> MatchCase:
    rng = random.Random(seed)
    case = MatchCase("vendor", one_to_one=True, companies=True)
    for decoy in VENDOR_DECOYS:  # other companies, always in QuickBooks
        case.add_candidate(decoy, email=_email(decoy) if rng.random() < .5 else "")
    for inbuild_id, name in enumerate(VENDORS, start=1):
        email = _email(name) if rng.random() < .6 else ""
        tax_id = f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}" if rng.random() < .5 else ""
        case.subjects.append(InbuildRecord(inbuild_id, name, email=email, tax_id=tax_id))
        if rng.random() < .15:  # a new vendor, not in QuickBooks yet
            case.truth[inbuild_id] = None
            continue
        shared_email = email if email and rng.random() < .35 else ""
        masked = f"XXXXX{tax_id[-4:]}" if tax_id and rng.random() < .3 else ""
        case.truth[inbuild_id] = case.add_candidate(noisy(name, rng), email=shared_email, tax_id=masked)
    rng.shuffle(case.candidates)
    return case


PROJECT_FORMS = (
    "{number} - {name}", "{name} ({number})", "{number} {name}", "{digits} {name}", "{name}", "{name} - {number}",
    "{number}-{name}", "{upper}",
)


def project_case(seed: int = 8) -> MatchCase:
    rng = random.Random(seed)
    case = MatchCase("project", one_to_one=True, companies=True)
    for number, name, owner in PROJECT_DECOYS:  # older or sister projects, other numbers, same or close names
        case.add_candidate(f"{number} - {name}" if rng.random() < .5 else f"{name} ({number})",
                           full_name=f"{owner}:{number} {name}")
    owners = sorted({owner for _, _, owner in PROJECTS})
    for owner in owners:
        case.add_candidate(owner)
    for inbuild_id, (number, name, owner) in enumerate(PROJECTS, start=1):
        case.subjects.append(InbuildRecord(inbuild_id, name, code=number))
        if rng.random() < .12:
            case.truth[inbuild_id] = None
            continue
        form = rng.choice(PROJECT_FORMS)
        spelt = noisy(name, rng, harder_share=.25) if rng.random() < .3 else name
        display = form.format(number=number, name=spelt, digits=number.replace("-", ""),
                              upper=f"{number} {name}".upper())
        case.truth[inbuild_id] = case.add_candidate(display, full_name=f"{owner}:{display}")
    rng.shuffle(case.candidates)
    return case


CODE_FORMS = ("{code} {name}", "{digits} {name}", "{spaced} {name}", "{dotted} {name}", "{name} ({code})",
              "{code} - {name}", "{division}:{code} {name}")


def cost_code_case(seed: int = 8) -> MatchCase:
    rng = random.Random(seed)
    case = MatchCase("cost_code", one_to_one=False, companies=False)
    for code, name in DECOY_COST_CODES:  # the same titles under other codes
        case.add_candidate(f"{code.replace('-', '')} {name}" if rng.random() < .5 else f"{code} {name}")
    for inbuild_id, (code, name) in enumerate(COST_CODES, start=1):
        case.subjects.append(InbuildRecord(inbuild_id, name, code=code))
        if rng.random() < .12:
            case.truth[inbuild_id] = None
            continue
        division, rest = code.split("-")
        spelt = noisy(name, rng, harder_share=.3) if rng.random() < .3 else name
        if rng.random() < .3:  # the code in the Sku or AcctNum field, the name alone
            case.truth[inbuild_id] = case.add_candidate(spelt, code=rng.choice((code, division + rest)))
            continue
        display = rng.choice(CODE_FORMS).format(code=code, name=spelt, digits=division + rest,
                                                spaced=f"{division} {rest}", dotted=f"{division}.{rest}",
                                                division=f"Division {division}")
        case.truth[inbuild_id] = case.add_candidate(display, full_name=display)
    rng.shuffle(case.candidates)
    return case


CASES = {"vendors": vendor_case, "projects": project_case, "cost codes": cost_code_case}


# --- measuring ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quality:
    precision: float  # right suggestions / suggestions
    recall: float  # right suggestions / records that have a right answer
    high: int  # high-confidence suggestions
    high_wrong: int
    high_recall: float  # right high-confidence suggestions / records that have a right answer

    def row(self, label: str) -> str:
        return (f"{label:<28} precision {self.precision:4.2f}  recall {self.recall:4.2f}  high-confidence "
                f"{self.high:3d} (wrong {self.high_wrong})  high-confidence recall {self.high_recall:4.2f}")


def quality(case: MatchCase, suggestions: dict[int, tuple[str | None, int]], high: int = 90) -> Quality:
    """Scores suggestions (inbuild id → (qbo id or None, confidence)) against the right answers."""
    answerable = [i for i, qbo_id in case.truth.items() if qbo_id is not None]
    made = {i: s for i, s in suggestions.items() if s[0] is not None}
    right = [i for i, (qbo_id, _) in made.items() if case.truth.get(i) == qbo_id]
    high_made = [i for i, (_, confidence) in made.items() if confidence >= high]
    high_right = [i for i in high_made if i in right]
    return Quality(len(right) / max(len(made), 1), len(right) / max(len(answerable), 1), len(high_made),
                   len(high_made) - len(high_right), len(high_right) / max(len(answerable), 1))
