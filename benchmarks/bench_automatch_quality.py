"""Auto-match quality before and after, on the noisy fixtures with decoys (tests/mapping/automatch_fixtures.py).

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_automatch_quality [--before REV]

"Before" is the auto-match at REV (default: the commit issue 8 started from), read with `git show`, fed the
inputs its own service built (a cost code's name was "code description", no FullyQualifiedName).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import types

from qbo.mapping import automatch
from tests.mapping.automatch_fixtures import CASES, MatchCase, quality

BEFORE_ISSUE_8 = "ccd197a"
SEEDS = (8, 21, 34)


def load_module_at(rev: str, path: str) -> types.ModuleType:
    """A module as it was at a git revision (read-only: git show)."""
    source = subprocess.run(["git", "show", f"{rev}:{path}"], check=True, capture_output=True, text=True).stdout
    module = types.ModuleType(f"before_{path.replace('/', '_').removesuffix('.py')}")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


def suggestions_after(case: MatchCase) -> dict[int, tuple[str | None, int]]:
    label = "number" if case.kind == "project" else "code"
    subjects = [automatch.Subject(s.inbuild_id, s.name, s.code, s.email, s.tax_id, label) for s in case.subjects]
    candidates = [automatch.Candidate(c.qbo_id, c.name, c.code, c.email, c.tax_id, c.full_name)
                  for c in case.candidates]
    return {m.inbuild_id: (m.qbo_id, m.confidence)
            for m in automatch.auto_match(subjects, candidates, case.one_to_one, case.companies)}


def suggestions_before(old: types.ModuleType, case: MatchCase) -> dict[int, tuple[str | None, int]]:
    def name(s):
        return f"{s.code} {s.name}" if case.kind == "cost_code" else s.name

    subjects = [old.Subject(s.inbuild_id, name(s), s.code, s.email, s.tax_id) for s in case.subjects]
    candidates = [old.Candidate(c.qbo_id, c.name, c.code, c.email, c.tax_id) for c in case.candidates]
    return {m.inbuild_id: (m.qbo_id, m.confidence)
            for m in old.auto_match(subjects, candidates, case.one_to_one, case.companies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default=BEFORE_ISSUE_8, help="git revision to compare against")
    args = parser.parse_args()
    old = load_module_at(args.before, "qbo/mapping/automatch.py")
    for seed in SEEDS:
        print(f"seed {seed}")
        for label, make_case in CASES.items():
            case = make_case(seed)
            answerable = sum(1 for v in case.truth.values() if v)
            print(f"  {label}: {len(case.subjects)} inBuild, {len(case.candidates)} QuickBooks, "
                  f"{answerable} with a right answer")
            print("    " + quality(case, suggestions_before(old, case)).row("before"))
            print("    " + quality(case, suggestions_after(case)).row("after"))


if __name__ == "__main__":
    main()
