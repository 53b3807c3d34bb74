"""How auto-match scales: N inBuild vendors against N QuickBooks vendors, before and after issue 8, in one run.

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_automatch [--before REV] [--sizes ...]

"Before" is the auto-match at REV (default: the commit issue 8 started from), read with `git show`.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from benchmarks.bench_automatch_quality import BEFORE_ISSUE_8, load_module_at
from qbo.mapping import automatch

FIRST = ["Summit", "Pacific", "Valley", "Bay", "North", "Delta", "Golden", "Sierra", "Redwood", "Precision", "Apex",
         "Atlas", "Beacon", "Cascade", "Crown", "Eagle", "Frontier", "Granite", "Harbor", "Horizon", "Keystone",
         "Liberty", "Meridian", "Mission", "Olympic", "Pioneer", "Premier", "Ridgeline", "Sterling", "Union"]
SECOND = ["Creek", "Ridge", "Point", "Coast", "Mountain", "River", "Lake", "Star", "Oak", "Pine", "Rock", "Stone"]
TRADES = ["Concrete", "Electric", "Plumbing", "Drywall", "Roofing", "Steel", "Glass", "Paving", "Masonry", "Framing",
          "Mechanical", "Supply", "Rentals", "Landscaping", "Insulation", "Painting", "Flooring", "Survey"]
SUFFIXES = ["Inc.", "LLC", "Co.", "Corporation", "& Sons", ""]


def make_names(n: int, seed: int) -> list[str]:
    """N distinct company names, as a large QuickBooks vendor list looks."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < n:
        names.add(f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}".strip()
                  + (f" {rng.randint(2, 99)}" if rng.random() < .3 else ""))
    return sorted(names)


def inputs(module, n: int):
    names = make_names(n, seed=n)
    rng = random.Random(1)
    candidates = [module.Candidate(str(i), name) for i, name in enumerate(names)]
    # inBuild spellings drift: punctuation, suffixes and the odd typo.
    subjects = [module.Subject(i, name.replace(".", "").replace("LLC", "L.L.C.") + ("s" if rng.random() < .2 else ""))
                for i, name in enumerate(names)]
    return subjects, candidates


def time_match(module, n: int, repeats: int) -> tuple[float, float]:
    subjects, candidates = inputs(module, n)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        matches = module.auto_match(subjects, candidates, one_to_one=True, companies=True)
        samples.append(time.perf_counter() - started)
    right = sum(1 for m in matches if m.qbo_id == str(m.inbuild_id)) / n
    return statistics.median(samples), right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default=BEFORE_ISSUE_8)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000, 5000])
    args = parser.parse_args()
    before = load_module_at(args.before, "qbo/mapping/automatch.py")
    for n in args.sizes:
        repeats = 3 if n <= 1000 else 1
        old, old_right = time_match(before, n, repeats)
        new, new_right = time_match(automatch, n, repeats)
        print(f"{n:>5} × {n:<5} before {old:7.2f} s ({old_right:.0%} right)   "
              f"after {new:6.2f} s ({new_right:.0%} right)"
              f"   after/before {new / old:5.2f}   speed-up {old / new:5.1f}x")


if __name__ == "__main__":
    main()
