"""First-run creation of instance/config.py, which holds this installation's secrets."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

PLACEHOLDERS = {"", "dev", "change-me", "changeme", "secret"}
EMULATOR_DEMO_CREDENTIALS = {"inbuild-demo-client", "inbuild-demo-secret"}


def ensure_instance_config(instance_path: str) -> Path:
    """Create instance/config.py with a random SECRET_KEY and token key, unless it exists."""
    os.makedirs(instance_path, exist_ok=True)
    path = Path(instance_path) / "config.py"
    if path.exists():
        return path
    text = ("# Created on first run. Keep this file private: it protects sessions and stored tokens.\n"
            f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n"
            f"TOKEN_ENCRYPTION_KEYS = [{'k1:' + Fernet.generate_key().decode()!r}]\n")
    # Written whole under a private name, then linked into place: two processes starting at once (the web
    # app and the job consumer) end up with the same secrets, and nobody reads a half-written file.
    draft = path.with_name(f".config.{os.getpid()}.{secrets.token_hex(4)}.py")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process won: use its file
    finally:
        os.unlink(draft)
    return path


def check_required_secrets(config: dict) -> None:
    """Refuse to start with a missing or placeholder secret (never fail later, mid-request)."""
    if str(config.get("SECRET_KEY") or "").strip().lower() in PLACEHOLDERS:
        raise RuntimeError("SECRET_KEY is missing or a placeholder; set it in instance/config.py.")
    if not config.get("TOKEN_ENCRYPTION_KEYS"):
        raise RuntimeError("TOKEN_ENCRYPTION_KEYS is missing; set it in instance/config.py.")
    if config.get("INTUIT_ENVIRONMENT") != "emulator":
        for name in ("INTUIT_CLIENT_ID", "INTUIT_CLIENT_SECRET", "INTUIT_REDIRECT_URI"):
            value = str(config.get(name) or "").strip()
            if value.lower() in PLACEHOLDERS or value in EMULATOR_DEMO_CREDENTIALS:
                raise RuntimeError(f"{name} must be set to your Intuit app's value to use Intuit "
                                   f"{config['INTUIT_ENVIRONMENT']}.")
        if config["INTUIT_ENVIRONMENT"] == "production" and not str(config["INTUIT_REDIRECT_URI"]).startswith("https://"):
            raise RuntimeError("Intuit production needs an https:// INTUIT_REDIRECT_URI.")
