"""POST /intuit/webhooks through Flask's test client: verify, route by realm, record once, queue, answer."""
from __future__ import annotations

import json

import pytest

from qbo.web import webhooks as webhook_view
from tests.conftest import ALEX, PAT, REALM_1, REALM_2, REALM_3
from tests.webhooks.conftest import (
    VERIFIER, WEBHOOK_PATH, cloudevent, company_id, legacy, post_signed, stored_events, table_count,
)


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The companies a processing job was queued for (the jobs themselves are tested elsewhere)."""
    calls: list[int] = []
    monkeypatch.setattr(webhook_view, "process_webhook_events", calls.append)
    return calls


def test_a_signed_delivery_is_recorded_and_queued_for_its_company(app, acme_on_keystone, queued):
    response = post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12"), cloudevent(REALM_1, "Vendor", "3")])
    assert response.status_code == 200
    assert response.json == {"received": 2, "recorded": 2, "duplicates": 0, "ignored": 0}
    assert [(e["entity"], e["operation"], e["status"]) for e in stored_events(app)] == [
        ("Bill", "Delete", "pending"), ("Vendor", "Delete", "pending")]
    assert queued == [company_id(app)]


def test_a_replayed_delivery_changes_nothing_and_queues_nothing(app, acme_on_keystone, queued):
    delivery = legacy((REALM_1, [{"name": "Bill", "id": "12", "operation": "Delete", "lastUpdated": "2026-11-20"}]))
    client = app.test_client()
    assert post_signed(client, delivery).json["recorded"] == 1
    before = stored_events(app)
    for _ in range(4):
        again = post_signed(client, delivery)
        assert again.status_code == 200 and again.json == {"received": 1, "recorded": 0, "duplicates": 1, "ignored": 0}
    assert stored_events(app) == before and queued == [company_id(app)]


def test_one_delivery_mixing_realms_routes_every_event_by_its_own_realm(app, admin, make_client, queued):
    admin.connect(ALEX, REALM_1)
    make_client("admin@cedar.test").connect(PAT, REALM_3)
    events = [cloudevent(REALM_3, "Vendor", "4"), cloudevent(REALM_1, "Bill", "12"), cloudevent(REALM_2, "Bill", "9"),
              cloudevent(REALM_3, "Bill", "5")]
    response = post_signed(app.test_client(), events)
    assert response.json == {"received": 4, "recorded": 3, "duplicates": 0, "ignored": 1}
    assert [e["entity_id"] for e in stored_events(app, "Cedar Homes")] == ["4", "5"]
    assert [e["realm_id"] for e in stored_events(app, "Acme Construction")] == [REALM_1]
    assert sorted(queued) == sorted([company_id(app, "Cedar Homes"), company_id(app)])


def test_events_of_a_realm_no_company_is_connected_to_are_ignored(app, admin, queued):
    admin.connect(ALEX, REALM_1)
    admin.post("/settings/integrations/qbo/disconnect")
    response = post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12"), cloudevent(REALM_2, "Bill", "1")])
    assert response.status_code == 200 and response.json["ignored"] == 2
    assert table_count(app, "webhook_events") == 0 and queued == []


@pytest.mark.parametrize("signature", [None, "", "garbage", "c2lnbmF0dXJl"], ids=["missing", "empty", "junk", "wrong"])
def test_a_bad_or_missing_signature_is_401_and_nothing_is_stored(app, acme_on_keystone, queued, signature):
    response = post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12")], signature=signature)
    assert response.status_code == 401 and "intuit-signature" in response.json["error"]
    assert table_count(app, "webhook_events") == 0 and queued == []


def test_a_delivery_signed_with_another_token_is_401(app, acme_on_keystone, queued):
    response = post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12")], token="not-" + VERIFIER)
    assert response.status_code == 401 and table_count(app, "webhook_events") == 0


@pytest.mark.parametrize("raw", [b"{not json", b"[]x", json.dumps({"hello": "world"}).encode(),
                                 json.dumps([{**cloudevent(REALM_1, "Bill", "1"), "intuitaccountid": "abc"}]).encode()],
                         ids=["broken", "trailing", "other-shape", "bad-realm"])
def test_a_signed_but_malformed_body_is_400_with_the_reason_and_nothing_is_stored(app, acme_on_keystone, queued, raw):
    response = post_signed(app.test_client(), None, raw=raw)
    assert response.status_code == 400 and response.json["error"]
    assert table_count(app, "webhook_events") == 0 and queued == []


def test_one_bad_event_refuses_the_whole_delivery(app, acme_on_keystone, queued):
    good, bad = cloudevent(REALM_1, "Bill", "12"), {**cloudevent(REALM_1, "Bill", "13"), "id": None}
    assert post_signed(app.test_client(), [good, bad]).status_code == 400
    assert table_count(app, "webhook_events") == 0


def test_a_body_over_the_size_limit_is_413(app, acme_on_keystone, queued):
    raw = json.dumps([cloudevent(REALM_1, "Bill", str(n), event_id=f"e{n}") for n in range(6000)]).encode()
    assert len(raw) > app.config["MAX_CONTENT_LENGTH"]
    response = post_signed(app.test_client(), None, raw=raw)
    assert response.status_code == 413 and table_count(app, "webhook_events") == 0


def test_no_session_or_csrf_token_is_needed_but_nothing_else_is_exempt(app, acme_on_keystone, queued):
    from app import csrf

    assert csrf._exempt_views == {"qbo.web.webhooks.receive"}
    assert post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12")]).status_code == 200
    assert app.test_client().get(WEBHOOK_PATH).status_code == 405


def test_without_a_usable_verifier_token_webhooks_are_refused(app, acme_on_keystone, queued, monkeypatch):
    monkeypatch.setitem(app.config, "INTUIT_ENVIRONMENT", "production")  # the demo token is refused off the emulator
    monkeypatch.setitem(app.config, "INTUIT_WEBHOOK_VERIFIER_TOKEN", webhook_view.DEMO_VERIFIER_TOKEN)
    response = post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12")],
                           token=webhook_view.DEMO_VERIFIER_TOKEN)
    assert response.status_code == 503 and table_count(app, "webhook_events") == 0
    monkeypatch.setitem(app.config, "INTUIT_WEBHOOK_VERIFIER_TOKEN", "")
    assert post_signed(app.test_client(), [cloudevent(REALM_1, "Bill", "12")], token="").status_code == 503
