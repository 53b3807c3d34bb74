"""Reliability figures from the test suite, printed at the end of every run (issue 10, section 4).

A test that exercises a reliability promise records what it measured with the `reliability_figure` fixture:
how many inputs or records, and how many broke the promise (which its own assertions already hold at 0). The
figures travel on the test reports, so they add up across pytest-xdist workers too, and the terminal summary
prints one line per measure.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import pytest

PROPERTY = "reliability_figure"
FAULT_INJECTION = "records synced under fault injection"
_totals: dict[str, Counter] = defaultdict(Counter)
_tests: Counter = Counter()


@pytest.fixture
def reliability_figure(request) -> Callable[..., None]:
    """record(measure, **counts): add counts to a measure, e.g. record("webhooks", deliveries=12, errors_5xx=0)."""
    def record(measure: str, **counts: int) -> None:
        request.node.user_properties.append((PROPERTY, [measure, dict(counts)]))
    return record


def exactly_once(record: Callable[..., None], measure: str, in_quickbooks: list[str], expected: list[str]) -> None:
    """Record duplicates and losses of documents sent under a fault, then hold both at 0."""
    seen = Counter(in_quickbooks)
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    losses = len(set(expected) - set(seen))
    record(measure, records=len(expected), duplicates=duplicates, losses=losses)
    assert (duplicates, losses) == (0, 0) and sorted(in_quickbooks) == sorted(expected)


def pytest_runtest_logreport(report) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == PROPERTY:
            measure, counts = value
            _totals[measure].update(counts)
            _tests[measure] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    if not _totals:
        return
    terminalreporter.section("reliability figures (from the tests that ran)")
    for measure in sorted(_totals):
        counts = ", ".join(f"{name} {total}" for name, total in _totals[measure].items())
        terminalreporter.write_line(f"{measure}: {counts} ({_tests[measure]} tests)")
