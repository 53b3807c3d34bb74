"""Named crash points for fault-injection tests: the process dies there when INBUILD_CRASH_AT names it."""
from __future__ import annotations

import os

AFTER_TOKEN_RESPONSE = "after_token_response"


def crash_point(name: str) -> None:
    if os.environ.get("INBUILD_CRASH_AT") == name:
        os._exit(137)  # like kill -9: no cleanup, no commit
