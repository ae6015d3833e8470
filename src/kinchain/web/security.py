"""Passwords (Argon2 via pwdlib), sessions, CSRF tokens, sign-in rate limiting, intake links."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kinchain.store.models import IntakeToken, Role, User, WebSession, utcnow

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


def create_user(
    db: Session,
    email: str,
    password: str,
    *,
    role: str | None = None,
    must_change_password: bool = False,
) -> User:
    """A new account; raises ValueError for a bad e-mail, short password or duplicate.

    ``role`` is ``clinician`` or ``admin``; when not given, the first account of a clinic (no
    account yet) is its administrator, any later one a clinician."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise ValueError("not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise ValueError("a user with this e-mail exists")
    if role is None:
        role = Role.admin.value if db.scalar(select(User.id).limit(1)) is None else "clinician"
    if role not in (Role.clinician.value, Role.admin.value):
        raise ValueError("the role is clinician or admin")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        must_change_password=must_change_password,
    )
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
    """Failed sign-ins counted per key, each key with its own exponential backoff (in memory,
    per process).

    A key (an address, an account, an account from one address) may fail ``limit`` times; each
    further failure locks it for ``base_delay_s * 2**(failures - limit)`` seconds (at most
    ``max_delay_s``) from that failure. A key that has been quiet for ``window`` seconds after
    its lock ended is forgiven. Keys are independent: a locked address does not lock an account
    and the other way round.

    Parameters
    ----------
    limit
        Failures allowed before the first lock.
    window
        Seconds of quiet, after the lock has ended, before the failures are forgotten.
    base_delay_s, max_delay_s
        First lock and longest lock, in seconds.
    clock
        Monotonic time in seconds (tests pass a fake clock).
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        base_delay_s: float = 30.0,
        max_delay_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._clock = clock
        self._state: dict[str, tuple[int, float]] = {}  # key -> (failures, last failure time)
        self._lock = threading.Lock()

    def _delay(self, failures: int) -> float:
        if failures < self.limit:
            return 0.0
        doublings = min(failures - self.limit, 40)
        return float(min(self.max_delay_s, self.base_delay_s * 2.0**doublings))

    def _current(self, key: str, now: float) -> tuple[int, float]:
        n, last = self._state.get(key, (0, now))
        if n and now - (last + self._delay(n)) > self.window:
            self._state.pop(key, None)
            return 0, now
        return n, last

    def retry_after(self, *keys: str) -> float:
        """Seconds until every key in ``keys`` may try again (0 when none is locked)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for k in keys:
                n, last = self._current(k, now)
                wait = max(wait, last + self._delay(n) - now)
        return wait

    def blocked(self, *keys: str) -> bool:
        """Whether any key in ``keys`` is locked now."""
        return self.retry_after(*keys) > 0

    def fail(self, *keys: str) -> None:
        """Count one failure against each key."""
        now = self._clock()
        with self._lock:
            for k in keys:
                n, _ = self._current(k, now)
                self._state[k] = (n + 1, now)
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Bound memory under a flood of keys: drop the forgiven ones (caller holds the lock)."""
        if len(self._state) > 10000:
            for k in list(self._state):
                self._current(k, now)

    def attempt(self, key: str) -> float:
        """Count one attempt against ``key`` unless it is locked, in one step (so that
        concurrent attempts cannot all pass the check before any is counted).

        Returns the seconds to wait (nothing counted) or 0 (counted as a failure until
        :meth:`undo` or :meth:`clear` says otherwise)."""
        now = self._clock()
        with self._lock:
            n, last = self._current(key, now)
            wait = last + self._delay(n) - now
            if wait > 0:
                return wait
            self._state[key] = (n + 1, now)
            self._prune(now)
        return 0.0

    def undo(self, key: str) -> None:
        """Take back one counted attempt of ``key`` (it succeeded, or was not tried)."""
        with self._lock:
            n, last = self._state.get(key, (0, 0.0))
            if n <= 1:
                self._state.pop(key, None)
            else:
                self._state[key] = (n - 1, last)

    def clear(self, *keys: str) -> None:
        """Forget the failures of ``keys`` (after a successful sign-in)."""
        with self._lock:
            for k in keys:
                self._state.pop(k, None)


@dataclass
class LoginThrottle:
    """The sign-in limits: per address and per account, separately.

    * an address (``addr:<ip>``) may fail ``address.limit`` times (20 by default) with any
      e-mails, known or not, then backs off exponentially: one address hammering does not stop
      the clinic's other users behind the same address until it has failed 20 times, and never
      stops a user at another address;
    * an account from one address (``user:<id>@<ip>``) may fail ``account.limit`` times (5),
      then backs off exponentially for that account from that address only: the right password
      from another address still signs in;
    * an account from all addresses together (``user:<id>``) may fail ``address.limit`` times,
      then backs off: guessing spread over many addresses is bounded too.

    Unknown e-mails count per address only (no state is kept per made-up e-mail). A successful
    sign-in forgets the account's failures, never the address's (signing in to one's own
    account does not reset the counter of guesses at others').
    """

    account: RateLimiter
    address: RateLimiter

    @classmethod
    def from_limits(
        cls,
        account_attempts: int,
        address_attempts: int,
        window_s: float,
        *,
        base_delay_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> LoginThrottle:
        """Throttle with ``account_attempts`` per account and address and ``address_attempts``
        per address (and per account over all addresses)."""
        return cls(
            RateLimiter(account_attempts, window_s, base_delay_s=base_delay_s, clock=clock),
            RateLimiter(address_attempts, window_s, base_delay_s=base_delay_s, clock=clock),
        )

    def sign_in(self, db: Session, email: str, password: str, address: str) -> LoginResult:
        """Check the limits, then the password. The password is not checked while a limit
        that applies is locked (``retry_after_s`` > 0). Each attempt is counted before the
        password is checked and taken back when it was right."""
        addr = f"addr:{address}"
        wait = self.address.attempt(addr)
        if wait > 0:
            return LoginResult(None, wait)
        user = db.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            verify_password(password, None)  # the same time as for a known e-mail
            return LoginResult(None, 0.0)
        pair, everywhere = f"user:{user.id}@{address}", f"user:{user.id}"
        wait = self.account.attempt(pair)
        if wait > 0:
            self.address.undo(addr)
            return LoginResult(None, wait)
        wait = self.address.attempt(everywhere)
        if wait > 0:
            self.address.undo(addr)
            self.account.undo(pair)
            return LoginResult(None, wait)
        if not verify_password(password, user.password_hash) or not user.active:
            return LoginResult(None, 0.0)
        self.address.undo(addr)
        self.account.clear(pair)
        self.address.clear(everywhere)
        return LoginResult(user, 0.0)


@dataclass(frozen=True)
class LoginResult:
    """A sign-in attempt: the user (None: refused) and, when a limit refused it, the seconds
    to wait."""

    user: User | None
    retry_after_s: float

    @property
    def throttled(self) -> bool:
        return self.retry_after_s > 0
