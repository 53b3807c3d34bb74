"""Codes and numbers as construction companies write them, read out of names and compared as codes.

"01-7900", "017900", "01 7900" and "01.7900" are one cost code; "24-266 - Evergreen Fire Station",
"Evergreen Fire Station (24-266)" and "24-266 Evergreen Fire Station" all carry project number 24-266.
Plain Python (no Flask, no SQL).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CODE = r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,3}[-.]?)?\d+(?:[-. ]\d+)*(?![A-Za-z0-9])"
_LEADING = re.compile(rf"^\s*[(\[]?({_CODE})[)\]]?(?:\s*[-–—:|,.]\s+|\s*[-–—:|]\s*|\s+)(?=\S)")
_TRAILING = re.compile(rf"(?:\s*[-–—:|,]\s*|\s+)[(\[]?({_CODE})[)\]]?\s*$")
_BRACKETED = re.compile(rf"[(\[]\s*({_CODE})\s*[)\]]")


@dataclass(frozen=True)
class Code:
    """One code: as written (for messages), and its comparable forms."""

    text: str
    full: str  # letters and digits, lower case: "p1001", "017900"
    digits: str  # the digits alone: "1001", "017900"

    @property
    def has_letters(self) -> bool:
        return self.full != self.digits


def as_code(text: str) -> Code | None:
    full = re.sub(r"[^a-z0-9]", "", text.casefold())
    return Code(text.strip(), full, re.sub(r"\D", "", full)) if full else None


def looks_like_code(code: Code) -> bool:
    """Enough digits to be a code rather than a number in a name ('84 Lumber', 'Phase 2')."""
    groups = len(re.findall(r"\d+", code.text))
    return len(code.digits) >= 4 or (len(code.digits) >= 3 and (code.has_letters or groups >= 2))


def same_code(first: Code, second: Code) -> bool:
    """'P-1001' and '1001' agree (one side has no letters); 'SR-100' and 'AB-100' do not; 'L' is only 'L'."""
    if first.has_letters and second.has_letters:
        return first.full == second.full
    if first.digits and second.digits:
        return first.digits == second.digits
    return first.full == second.full


def split_codes(name: str) -> tuple[tuple[Code, ...], str]:
    """The codes written at the start, at the end or in brackets of a name, and the name without them."""
    leaf = name.rsplit(":", 1)[-1]  # a FullyQualifiedName's last part is the record's own name
    found: list[Code] = []
    rest = leaf
    for pattern in (_LEADING, _TRAILING, _BRACKETED):
        match = pattern.search(rest)
        code = as_code(match.group(1)) if match else None
        if code is not None and looks_like_code(code):
            found.append(code)
            rest = (rest[:match.start()] + " " + rest[match.end():]).strip(" -–—:|,.")
    return tuple(found), rest.strip() or leaf.strip()


def codes_of(texts: Iterable[str], names: Iterable[str]) -> tuple[tuple[Code, ...], str]:
    """Codes from code fields (Sku, AcctNum, a cost code) and from names; the first name without its codes."""
    codes = [code for code in (as_code(text) for text in texts if text) if code is not None]
    name_part = ""
    for name in names:
        found, rest = split_codes(name)
        codes.extend(found)
        name_part = name_part or rest
    unique = {(c.full, c.digits): c for c in codes}
    return tuple(unique.values()), name_part


def code_relation(wanted: tuple[Code, ...], found: tuple[Code, ...]) -> tuple[str, Code | None]:
    """('same', the code) when they share a code, ('conflict', theirs) when both carry comparable codes that differ."""
    for mine in wanted:
        for theirs in found:
            if same_code(mine, theirs):
                return "same", mine
    comparable_mine = [c for c in wanted if c.digits]
    comparable_theirs = [c for c in found if c.digits]
    if comparable_mine and comparable_theirs:
        return "conflict", comparable_theirs[0]
    return "none", None
