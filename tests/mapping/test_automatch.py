"""Auto-match: exact code, then normalised name, then fuzzy name; contacts break ties; one-to-one assignment."""
import pytest

from qbo.mapping.automatch import Candidate, Subject, auto_match, confidence_level, normalise_name, rank_candidates


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


# --- issue 8: codes read out of names, hard rules, a reason per suggestion ------------------------------------

def cost_code(inbuild_id, code, description):
    return Subject(inbuild_id, description, code)


@pytest.mark.parametrize("subject, decoy", [
    (cost_code(1, "01-7900", "General Requirements"), "01-4700 General Requirements"),
    (cost_code(2, "08-2900", "Openings"), "083200 Openings"),
    (cost_code(3, "32-7700", "Exterior Improvements"), "329100 Exterior Improvements"),
])
def test_a_conflicting_code_is_never_suggested_whatever_the_names(subject, decoy):
    alone = match_one(subject, [Candidate("9", decoy)], one_to_one=False, companies=False)
    assert alone.confidence < 90 and alone.qbo_id is None  # same numbering system, another code: not this record
    right = Candidate("1", f"{subject.code} {subject.name}")
    chosen = match_one(subject, [Candidate("9", decoy), right], one_to_one=False, companies=False)
    assert (chosen.qbo_id, chosen.level, chosen.why) == ("1", "high", f"same code {subject.code}")


def test_a_code_of_another_numbering_system_is_low_confidence_at_best():
    match = match_one(cost_code(1, "03-3000", "Concrete"), [Candidate("7", "Concrete", code="5300")],
                      one_to_one=False, companies=False)
    assert match.qbo_id == "7" and match.level == "low" and "code 5300 differs" in match.why


@pytest.mark.parametrize("quickbooks_name", [
    "24-266 - Evergreen Fire Station", "Evergreen Fire Station (24-266)", "24-266 Evergreen Fire Station",
    "24266 Evergreen Fire Station", "City of Evergreen:24-266 Evergreen Fire Station",
])
def test_project_numbers_written_into_quickbooks_names_are_high_confidence(quickbooks_name):
    project = Subject(1, "Evergreen Fire Station", "24-266", code_label="number")
    match = match_one(project, [Candidate("5", quickbooks_name), Candidate("6", "23-118 - Evergreen Fire Station")])
    assert (match.qbo_id, match.level, match.why) == ("5", "high", "same number 24-266")


def test_a_generic_title_shared_by_several_records_needs_its_code():
    subject = cost_code(1, "01-7900", "General Requirements")
    candidates = [Candidate("1", "General Requirements"), Candidate("2", "General Requirements", code="01-4700")]
    match = match_one(subject, candidates, one_to_one=False, companies=False)
    assert match.level != "high" and "several records share this name" in match.why


def test_two_equally_good_candidates_are_never_high_confidence():
    swapped = match_one(Subject(1, "Summit Electric"), [Candidate("1", "Summit Electric"),
                                                        Candidate("2", "Summit Elcetric")])
    assert swapped.qbo_id == "1" and swapped.level == "medium" and "is as close" in swapped.why
    duplicates = match_one(Subject(1, "Summit Electric"), [Candidate("1", "Summit Electric, Inc."),
                                                           Candidate("2", "Summit Electric LLC")])
    assert duplicates.level != "high"
    twins = auto_match([Subject(1, "Delta Drywall"), Subject(2, "Delta Drywal")], [Candidate("1", "Delta Drywall Co")],
                       one_to_one=True, companies=True)
    assert twins[0].qbo_id == "1" and twins[0].level == "high"  # exact beats a typo by more than a few points


def test_each_suggestion_says_why():
    candidates = [Candidate("1", "ABC Concrete, Inc."), Candidate("2", "Bay Area Electrical Services"),
                  Candidate("3", "Delta Mechanical Contractors", email="office@deltamech.com")]
    whys = {m.inbuild_id: m.why for m in auto_match(
        [Subject(1, "ABC Concrete Inc"), Subject(2, "Bay Area Electric"),
         Subject(3, "Delta Mech", email="office@deltamech.com")], candidates, one_to_one=True, companies=True)}
    assert whys[1] == "same name"
    assert whys[2].startswith("name ") and whys[2].endswith("% alike")
    assert whys[3].startswith("same e-mail")


def test_numbers_in_names_must_agree():
    match = match_one(Subject(1, "Cedar Ridge Fire Station No. 7"), [Candidate("1", "Cedar Ridge Fire Station No. 6")],
                      companies=False)
    assert match.level != "high" and "numbers differ" in match.why


def test_rank_candidates_lists_the_closest_first():
    candidates = [Candidate(str(i), name) for i, name in enumerate(["Ferguson Enterprises", "Ferguson Waterworks",
                                                                    "Home Depot Pro", "Sunbelt Rentals"])]
    ranked = rank_candidates(Subject(1, "Ferguson Enterprises Inc"), candidates, companies=True)
    assert ranked[0].qbo_name == "Ferguson Enterprises" and ranked[0].level == "high"
    assert "Home Depot Pro" not in [m.qbo_name for m in ranked]
