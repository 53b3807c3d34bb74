"""Hostile webhook deliveries (Hypothesis) through POST /intuit/webhooks: never a 5xx, and a refused delivery
stores nothing and queues nothing; the counts go into the suite's reliability figures."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbo.web import webhooks as webhook_view
from tests.conftest import REALM_1, REALM_2
from tests.webhooks.conftest import cloudevent, legacy, post_signed, table_count

EXAMPLES = 120
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                    st.sampled_from([REALM_1, REALM_2, "", "0" * 40, "Bill", "Vendor", "deleted", "Delete"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                    max_leaves=12)
FIELDS = ["id", "type", "intuitaccountid", "intuitentityid", "time", "specversion", "data"]


def mangled_cloudevent() -> st.SearchStrategy:
    """A genuine event with one field replaced by anything, or dropped."""
    def mangle(field, value, drop):
        event = cloudevent(REALM_1, "Bill", "12")
        if drop:
            event.pop(field)
        else:
            event[field] = value
        return [event]
    return st.builds(mangle, st.sampled_from(FIELDS), JSON, st.booleans())


def mangled_legacy() -> st.SearchStrategy:
    def mangle(realm, entity):
        return legacy((realm, [entity]))
    return st.builds(mangle, st.one_of(st.just(REALM_1), SCALARS),
                     st.dictionaries(st.sampled_from(["name", "id", "operation", "lastUpdated"]), JSON, max_size=4))


BODIES = st.one_of(st.binary(max_size=200).map(lambda raw: ("raw", raw)),
                   JSON.map(lambda value: ("json", value)),
                   mangled_cloudevent().map(lambda value: ("json", value)),
                   mangled_legacy().map(lambda value: ("json", value)))


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(webhook_view, "process_webhook_events", calls.append)
    return calls


def test_hostile_signed_deliveries_never_give_a_5xx_and_a_refused_one_changes_nothing(app, acme_on_keystone, queued,
                                                                                      reliability_figure):
    client, seen = app.test_client(), {"requests": 0, "errors_5xx": 0, "refused_but_stored": 0}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(body=BODIES)
    def deliver(body):
        kind, value = body
        stored_before, queued_before = table_count(app, "webhook_events"), len(queued)
        raw = value if kind == "raw" else json.dumps(value).encode()
        response = post_signed(client, None, raw=raw)
        seen["requests"] += 1
        seen["errors_5xx"] += response.status_code >= 500
        assert response.status_code in (200, 400, 401), (raw[:200], response.status_code)
        if response.status_code != 200:
            changed = table_count(app, "webhook_events") != stored_before or len(queued) != queued_before
            seen["refused_but_stored"] += changed
            assert not changed and response.json["error"]

    deliver()
    reliability_figure("malformed webhooks", **seen)
    assert seen["requests"] >= EXAMPLES and seen["errors_5xx"] == 0
