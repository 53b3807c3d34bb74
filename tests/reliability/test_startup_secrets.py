"""Row 34: the app refuses to start without real secrets, and the repository holds none."""
from __future__ import annotations

import base64
import binascii
import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app import create_app
from tests.conftest import app_config

REPO = Path(__file__).resolve().parents[2]
DEMO_AND_TEST_VALUES = {"inbuild-demo-secret", "inbuild-test-secret", "inbuild-demo-client", "inbuild-test-client"}
HARMLESS_WORDS = ("demo", "test", "example", "fake", "dummy", "canary", "changeme", "change-me", "placeholder",
                  "wrong", "not-a-", "xxxx", "abcdefgh", "12345678")  # test fixtures announce themselves
PRIVATE_KEY = re.compile("-----BEGIN " + r"(?:[A-Z0-9]+ )*" + "PRIVATE KEY-----")
FERNET_LIKE = re.compile(r"(?<![A-Za-z0-9_=-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])")
ASSIGNED_SECRET = re.compile(
    r"""(?i)(client_secret|secret_key|secret|api_key|password|verifier_token|refresh_token|access_token)"""
    r"""["']?\s*[:=]\s*[rbf]?["']([^"'\s]{8,})["']""")
INTUIT_SHAPES = {
    "refresh token": re.compile(r"RT1-\d{2,3}-H0-\d{10}[a-z0-9]{24}"),
    "authorization code": re.compile(r"AB11\d{10}[A-Za-z0-9]{38}"),
    "production client id": re.compile(r"\bAB[A-Za-z0-9]{48}\b"),
}


def startup(tmp_path, **overrides):
    config = app_config(tmp_path, "http://127.0.0.1:9")
    for key, value in overrides.items():
        if value is KeyError:
            config.pop(key)
        else:
            config[key] = value
    return create_app(config)


def test_the_test_configuration_itself_starts(tmp_path):
    assert startup(tmp_path).config["SECRET_KEY"]


@pytest.mark.parametrize("secret_key", [KeyError, None, "", "   ", "dev", "change-me", "CHANGEME", " Secret "])
def test_missing_or_placeholder_secret_key_refuses_to_start(tmp_path, secret_key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        startup(tmp_path, SECRET_KEY=secret_key)


@pytest.mark.parametrize("keys", [KeyError, None, [], ()])
def test_missing_token_encryption_keys_refuse_to_start(tmp_path, keys):
    with pytest.raises(RuntimeError, match="TOKEN_ENCRYPTION_KEYS"):
        startup(tmp_path, TOKEN_ENCRYPTION_KEYS=keys)


@pytest.mark.parametrize("keys", [["not-a-key"], ["k1:not-a-fernet-key"], [":" + Fernet.generate_key().decode()]])
def test_malformed_token_encryption_keys_refuse_to_start(tmp_path, keys):
    with pytest.raises(ValueError):
        startup(tmp_path, TOKEN_ENCRYPTION_KEYS=keys)


@pytest.mark.parametrize("environment", ["production", "sandbox"])
@pytest.mark.parametrize("secret", [None, "", "change-me"])
def test_real_intuit_environments_need_a_client_secret(tmp_path, environment, secret):
    with pytest.raises(RuntimeError, match="INTUIT_CLIENT_SECRET"):
        startup(tmp_path, INTUIT_ENVIRONMENT=environment, INTUIT_CLIENT_SECRET=secret,
                INTUIT_REDIRECT_URI="https://app.example.com/settings/integrations/qbo/callback")


@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_real_intuit_environments_refuse_the_demo_credentials_when_none_are_configured(tmp_path, environment):
    with pytest.raises(RuntimeError, match="INTUIT_CLIENT_(ID|SECRET)"):
        startup(tmp_path, INTUIT_ENVIRONMENT=environment, INTUIT_CLIENT_ID=KeyError, INTUIT_CLIENT_SECRET=KeyError,
                INTUIT_REDIRECT_URI="https://app.example.com/settings/integrations/qbo/callback")


# --- the repository holds no secrets --------------------------------------------------------------

def entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def harmless(value: str) -> bool:
    return value in DEMO_AND_TEST_VALUES or any(word in value.lower() for word in HARMLESS_WORDS)


def looks_real(value: str) -> bool:
    if harmless(value):
        return False
    if re.fullmatch(r"[a-z_.]+(\(\))?", value) or "{" in value or "%" in value:  # names, format strings
        return False
    return len(value) >= 16 and entropy(value) >= 3.5


def is_fernet_key(candidate: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(candidate)) == 32
    except (binascii.Error, ValueError):
        return False


def findings(text: str) -> list[str]:
    found = []
    if PRIVATE_KEY.search(text):
        found.append("private key")
    found += [f"Fernet key {m[:6]}..." for m in FERNET_LIKE.findall(text) if is_fernet_key(m)]
    found += [f"{name} = {value[:4]}..." for name, value in ASSIGNED_SECRET.findall(text) if looks_real(value)]
    found += [f"Intuit {kind}" for kind, pattern in INTUIT_SHAPES.items()
              for match in pattern.findall(text) if not harmless(match)]
    return found


def repository_files() -> list[str]:
    """Tracked files plus new ones about to be added (not ignored)."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                             capture_output=True, check=True).stdout.decode()
    return [name for name in listing.split("\0") if name]


def test_the_scanner_finds_planted_secrets():
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    fernet = Fernet.generate_key().decode()
    real_looking = base64.b32encode(Fernet.generate_key()[:25]).decode().rstrip("=")
    assert findings(pem) == ["private key"]
    assert findings(f"TOKEN_ENCRYPTION_KEYS = ['k1:{fernet}']")[0].startswith("Fernet key")
    assert findings(f'INTUIT_CLIENT_SECRET = "{real_looking}"')
    assert findings("client_secret: 'inbuild-demo-secret'") == []
    assert findings("RT1-42-H0-1790000000" + "".join(chr(97 + (i * 7) % 26) for i in range(24))) == [
        "Intuit refresh token"]


def test_no_tracked_file_holds_a_real_looking_secret():
    files = repository_files()
    assert "app.py" in files
    problems = []
    for name in files:
        path = REPO / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data[:4096]:
            continue
        problems += [f"{name}: {what}" for what in findings(data.decode("utf-8", "replace"))]
    assert problems == [], problems


def test_instance_secrets_and_databases_are_never_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, check=True, text=True).stdout.split()
    assert [f for f in tracked if f.startswith("instance/") and f != "instance/.gitkeep"] == []
    assert [f for f in tracked if ".sqlite3" in f] == []
    ignored = subprocess.run(["git", "check-ignore", "instance/config.py", "instance/inbuild.sqlite3"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert ignored == ["instance/config.py", "instance/inbuild.sqlite3"]
