"""Optional login: a JSON file of users with scrypt-hashed passwords, and the loopback rule.

The file looks like ``{"users": {"alice": "scrypt$16384$8$1$<salt hex>$<hash hex>"}}``. It is
written by ``submissions serve --add-user NAME``. Only the standard library is used.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from assistant.errors import ConfigError

logger = logging.getLogger(__name__)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 8
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return "scrypt$n$r$p$salt$hash" for ``password`` with a fresh random salt."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Return True when ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(hash_hex) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def load_users(path: Path) -> dict[str, str]:
    """Return {user: hash} from the auth file; a clear error when it is missing or broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: the login file does not exist; create it with "
            "`submissions serve --add-user NAME`"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read the login file ({exc}); fix or recreate it"
        ) from exc
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
        raise ConfigError(f'{path}: expected {{"users": {{"name": "scrypt$…"}}}}; recreate it')
    return dict(users)


def add_user(path: Path, name: str, password: str) -> None:
    """Add or replace ``name`` in the auth file (created with owner-only permissions)."""
    name = name.strip()
    if not name:
        raise ConfigError("the user name is empty; give one, e.g. --add-user alice")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ConfigError(
            f"the password is too short: use at least {MIN_PASSWORD_CHARS} characters"
        )
    users = load_users(path) if path.exists() else {}
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"users": users}, fh, indent=2, sort_keys=True)
    os.replace(tmp, path)
    logger.info("saved user %s in %s", name, path)


def authenticator(path: Path) -> Callable[[str, str], bool]:
    """Return the callable Gradio asks at login; the file is re-read so edits apply at once."""
    load_users(path)  # fail at start-up, not at the first login

    def check(username: str, password: str) -> bool:
        try:
            users = load_users(path)
        except ConfigError:
            logger.exception("cannot read the login file")
            return False
        stored = users.get(username)
        if stored is None:
            # Spend the same time as a real check, so names cannot be probed by timing.
            verify_password(password, hash_password("x" * MIN_PASSWORD_CHARS))
            return False
        return verify_password(password, stored)

    return check


def is_loopback(host: str) -> bool:
    """Return True when ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, auth_file: str) -> None:
    """Raise ConfigError when ``host`` is reachable from the network and no login is set."""
    if auth_file or is_loopback(host):
        return
    raise ConfigError(
        f"refusing to listen on {host} without a login: anyone on the network could read the "
        "submissions. Either serve on 127.0.0.1 (the default), or add users with "
        "`submissions serve --add-user NAME` and set SUBMISSIONS_AUTH_FILE to that file"
    )
