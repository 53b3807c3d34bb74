"""Auto-match: exact code, then normalised name, then fuzzy name; contacts break ties; one-to-one assignment."""
import pytest

from qbo.mapping.automatch import Candidate, Subject, auto_match, confidence_level, normalise_name


@pytest.mark.parametrize("raw, normal", [
    ("ABC Concrete, Inc.", "abc concrete"),
    ("A&B Drywall LLC", "a and b drywall"),
    ("Café  Roofing Co", "cafe roofing"),
    ("  Smith & Sons Electrical Corporation ", "smith and sons electrical"),
])
def test_normalise_name(raw, normal):
    assert normalise_name(raw) == normal


def match_one(subject, candidates, one_to_one=True, companies=True):
    return auto_match([subject], candidates, one_to_one, companies)[0]


def test_exact_code_beats_names():
    candidates = [Candidate("1", "Concrete"), Candidate("2", "03-300 Cast-in-Place", code="03-300")]
    match = match_one(Subject(7, "Concrete", code="03300"), candidates, one_to_one=False)
    assert (match.qbo_id, match.confidence, match.reason) == ("2", 100, "code")


def test_normalised_name_is_high_confidence():
    match = match_one(Subject(1, "ABC Concrete Inc."), [Candidate("9", "ABC Concrete, Inc"), Candidate("8", "ABD Concrete")])
    assert (match.qbo_id, match.reason, match.level) == ("9", "name", "high")


def test_fuzzy_name_gets_a_graded_confidence():
    match = match_one(Subject(1, "Bay Area Electric"), [Candidate("3", "Bay Area Electrical Services")])
    assert match.qbo_id == "3" and match.reason == "fuzzy"
    assert 60 <= match.confidence < 95


def test_nothing_close_means_no_match():
    match = match_one(Subject(1, "Zeta Roofing"), [Candidate("1", "ABC Concrete"), Candidate("2", "Bay Electric")])
    assert (match.qbo_id, match.confidence, match.level) == (None, 0, "none")


def test_email_or_tax_id_breaks_ties():
    candidates = [Candidate("1", "Summit Steel"), Candidate("2", "Summit Steel", email="ap@summitsteel.com")]
    match = match_one(Subject(1, "Summit Steel", email="AP@summitsteel.com"), candidates)
    assert match.qbo_id == "2"
    by_tax = match_one(Subject(1, "Summit Steel", tax_id="12-3451234"),
                       [Candidate("1", "Summit Steel", tax_id="XXXXX9999"), Candidate("2", "Summit Steel", tax_id="XXXXX1234")])
    assert by_tax.qbo_id == "2"


def test_contact_lifts_a_weak_name_match():
    match = match_one(Subject(1, "Delta Mech", email="office@deltamech.com"),
                      [Candidate("5", "Delta Mechanical Contractors", email="office@deltamech.com")])
    assert match.qbo_id == "5" and match.confidence >= 90


def test_one_to_one_gives_each_record_to_its_strongest_claim():
    candidates = [Candidate("1", "ABC Concrete Inc")]
    subjects = [Subject(1, "ABC Concrete Pumping"), Subject(2, "ABC Concrete, Inc.")]
    first, second = auto_match(subjects, candidates, one_to_one=True)
    assert second.qbo_id == "1" and first.qbo_id is None


def test_many_to_one_is_allowed_when_not_one_to_one():
    candidates = [Candidate("40", "Job Materials")]
    matches = auto_match([Subject(1, "Job Materials"), Subject(2, "Job Material")], candidates, one_to_one=False)
    assert [m.qbo_id for m in matches] == ["40", "40"]
    # For accounts and items the trade words are the identity: only company names are capped.
    plain = match_one(Subject(3, "Ace Plumbing & Heating"), [Candidate("7", "Allied Plumbing & Heating")],
                      companies=False)
    assert plain.qbo_id == "7"


def test_confidence_levels():
    assert [confidence_level(c) for c in (100, 90, 89, 75, 74, 60, 59)] == [
        "high", "high", "medium", "medium", "low", "low", "none"]


def test_a_thousand_records_match_in_one_pass():
    candidates = [Candidate(str(i), f"Vendor {i:04d} Supply") for i in range(1000)]
    subjects = [Subject(i, f"Vendor {i:04d} Supply Inc") for i in range(1000)]
    matches = auto_match(subjects, candidates, one_to_one=True)
    assert sum(1 for m in matches if m.qbo_id == str(m.inbuild_id)) == 1000


def test_shared_trade_words_do_not_make_strangers_match():
    candidates = [Candidate("1", "Allied Plumbing & Heating"), Candidate("2", "Schuylkill Fire Protection")]
    assert match_one(Subject(1, "Ace Plumbing & Heating"), candidates).qbo_id is None
    assert match_one(Subject(2, "Delta Fire Protection Inc"), candidates).qbo_id is None


def test_same_company_with_other_trade_words_still_matches():
    match = match_one(Subject(1, "Bay Area Electric"), [Candidate("3", "Bay Area Electrical Services")])
    assert match.qbo_id == "3" and match.level in ("medium", "high")
