"""Auto-match on noisy QuickBooks spellings with decoys: the goals of issue 8 on our own fixtures."""
import pytest

from qbo.mapping.automatch import Candidate, Subject, auto_match
from tests.mapping.automatch_fixtures import CASES, MatchCase, quality


def current_suggestions(case: MatchCase) -> dict[int, tuple[str | None, int]]:
    label = "number" if case.kind == "project" else "code"
    subjects = [Subject(s.inbuild_id, s.name, s.code, s.email, s.tax_id, label) for s in case.subjects]
    candidates = [Candidate(c.qbo_id, c.name, c.code, c.email, c.tax_id, c.full_name) for c in case.candidates]
    matches = auto_match(subjects, candidates, case.one_to_one, case.companies)
    return {m.inbuild_id: (m.qbo_id, m.confidence) for m in matches}


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize("seed", [8, 21])
def test_goals_on_noisy_spellings_with_decoys(kind, seed):
    case = CASES[kind](seed)
    measured = quality(case, current_suggestions(case))
    assert measured.high_wrong == 0, measured
    assert measured.high_recall >= 0.7, measured
    assert measured.recall >= 0.9, measured
