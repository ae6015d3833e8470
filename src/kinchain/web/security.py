"""Passwords (Argon2 via pwdlib), sessions, CSRF tokens, sign-in rate limiting, intake links."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from datetime import timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kinchain.store.models import IntakeToken, User, WebSession, utcnow

SESSION_COOKIE = "kinchain_session"
CSRF_COOKIE = "kinchain_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
MIN_PASSWORD = 10

_hasher = PasswordHash((Argon2Hasher(),))
# A hash to verify against when the e-mail is unknown, so timing does not tell who exists.
_DUMMY = _hasher.hash("kinchain-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    if hashed is None:
        _hasher.verify(password, _DUMMY)
        return False
    try:
        return bool(_hasher.verify(password, hashed))
    except Exception:
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens (False if either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def create_user(db: Session, email: str, password: str) -> User:
    """A new clinician account; raises ValueError for a bad e-mail, short password or duplicate."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise ValueError("not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise ValueError("a user with this e-mail exists")
    user = User(email=email, password_hash=hash_password(password))
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.active:
        return None
    return user


def start_session(db: Session, user: User, hours: float) -> tuple[str, WebSession]:
    """A new session; returns the cookie token (only its hash is stored) and the row."""
    token = new_token()
    now = utcnow()
    db.execute(delete(WebSession).where(WebSession.expires_at < now))
    row = WebSession(
        id=token_hash(token),
        user_id=user.id,
        csrf=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.add(row)
    db.flush()
    return token, row


def find_session(db: Session, token: str | None) -> tuple[WebSession, User] | None:
    if not token or len(token) > 200:
        return None
    row = db.get(WebSession, token_hash(token))
    if row is None or row.expires_at < utcnow():
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def end_session(db: Session, token: str | None) -> None:
    if token and len(token) <= 200:
        db.execute(delete(WebSession).where(WebSession.id == token_hash(token)))


def create_intake_link(db: Session, visit_id: int, user_id: int, days: float) -> str:
    token = new_token()
    db.add(
        IntakeToken(
            token_hash=token_hash(token),
            visit_id=visit_id,
            created_by=user_id,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.flush()
    return token


def find_intake_link(db: Session, token: str) -> IntakeToken | None:
    """The unused, unexpired link for ``token``, or None."""
    if not token or len(token) > 200:
        return None
    row = db.scalar(select(IntakeToken).where(IntakeToken.token_hash == token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


class RateLimiter:
    """At most ``limit`` failures per key in ``window`` seconds (in memory, per process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._hits.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)
            if len(self._hits) > 10000:  # bound memory under a flood
                for k in [k for k, q in self._hits.items() if not q][:5000]:
                    del self._hits[k]

    def clear(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._hits.pop(k, None)
