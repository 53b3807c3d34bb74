"""Codes and numbers read out of QuickBooks names in the forms construction companies write them."""
import pytest

from qbo.mapping.match_codes import as_code, code_relation, codes_of, same_code, split_codes


@pytest.mark.parametrize("name, code, rest", [
    ("01-7900 General Requirements", "017900", "General Requirements"),
    ("017900 General Requirements", "017900", "General Requirements"),
    ("01 7900 General Requirements", "017900", "General Requirements"),
    ("01.7900 General Requirements", "017900", "General Requirements"),
    ("01 79 00 - General Requirements", "017900", "General Requirements"),
    ("24-266 - Evergreen Fire Station", "24266", "Evergreen Fire Station"),
    ("Evergreen Fire Station (24-266)", "24266", "Evergreen Fire Station"),
    ("Evergreen Fire Station - 24-266", "24266", "Evergreen Fire Station"),
    ("24-266 Evergreen Fire Station", "24266", "Evergreen Fire Station"),
    ("City of Evergreen:24-266 Evergreen Fire Station", "24266", "Evergreen Fire Station"),
    ("P-1001 Riverside Medical Office", "p1001", "Riverside Medical Office"),
    ("SR-100 Site Concrete", "sr100", "Site Concrete"),
])
def test_codes_are_read_out_of_names(name, code, rest):
    codes, name_part = split_codes(name)
    assert [c.full for c in codes] == [code] and name_part == rest


@pytest.mark.parametrize("name", ["84 Lumber", "Oak Street Townhomes (Phase 2)", "Cedar Ridge Fire Station No. 7",
                                  "Vendor 0012 Supply", "3M Company", "A1 Concrete"])
def test_numbers_that_are_not_codes_stay_in_the_name(name):
    assert split_codes(name) == ((), name)


def test_codes_compare_as_codes():
    assert same_code(as_code("01-7900"), as_code("01.7900"))
    assert same_code(as_code("P-1001"), as_code("1001"))  # one side without letters: the digits decide
    assert not same_code(as_code("SR-100"), as_code("AB-100"))
    assert not same_code(as_code("L"), as_code("5200"))
    assert same_code(as_code("L"), as_code("l"))


def test_code_relation():
    mine, _ = codes_of(["01-7900"], ["General Requirements"])
    same, _ = codes_of([], ["017900 General Requirements"])
    other, _ = codes_of(["014700"], ["General Requirements"])
    letters_only, _ = codes_of(["L"], ["Labor"])
    account, _ = codes_of(["5200"], ["Labor"])
    assert code_relation(mine, same)[0] == "same"
    assert code_relation(mine, other)[0] == "conflict"
    assert code_relation(mine, ())[0] == "none"
    assert code_relation(letters_only, account)[0] == "none"  # a cost type letter is no account number
