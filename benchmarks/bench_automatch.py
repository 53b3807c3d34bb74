"""How auto-match scales: time for N inBuild records against N QuickBooks records, reported as ratios.

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_automatch
"""
from __future__ import annotations

import random
import statistics
import time

from qbo.mapping.automatch import Candidate, Subject, auto_match

WORDS = ["Concrete", "Electric", "Plumbing", "Drywall", "Roofing", "Steel", "Glass", "Paving", "Masonry", "Framing",
         "Mechanical", "Supply", "Rentals", "Landscaping", "Insulation", "Painting", "Flooring", "Survey"]
SUFFIXES = ["Inc.", "LLC", "Co.", "Corporation", "& Sons", ""]


def make_names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(SUFFIXES)}".strip() for i in range(n)]


def time_match(n: int, repeats: int = 3) -> float:
    names = make_names(n, seed=n)
    rng = random.Random(1)
    candidates = [Candidate(str(i), name) for i, name in enumerate(names)]
    # inBuild spellings drift: punctuation, suffixes and the odd typo.
    subjects = [Subject(i, name.replace(".", "").replace("LLC", "L.L.C.") + ("s" if rng.random() < .2 else ""))
                for i, name in enumerate(names)]
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        matches = auto_match(subjects, candidates, one_to_one=True, companies=True)
        samples.append(time.perf_counter() - started)
    right = sum(1 for m in matches if m.qbo_id == str(m.inbuild_id))
    print(f"n={n:>5}: median {statistics.median(samples) * 1000:8.1f} ms, {right / n:.1%} matched to the right record")
    return statistics.median(samples)


def main() -> None:
    base = time_match(100)
    for n in (250, 500, 1000):
        seconds = time_match(n)
        print(f"         ratio to n=100: {seconds / base:5.1f}x for {n / 100:.1f}x the records")


if __name__ == "__main__":
    main()
