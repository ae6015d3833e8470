"""The audit log: every access and change, with ids and route templates only."""

from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from kinchain.store.models import AuditEvent


class Event(TypedDict, total=False):
    """An audit event's fields: what was done (``action``), by whom (``actor``: user, token,
    system or anonymous; ``user_id``), to which record (``target``: kind and id), and for an
    access, the request's method, route template, answer status and address."""

    action: Required[str]
    actor: Required[str]
    user_id: int | None
    target: tuple[str, int] | None
    method: str | None
    route: str | None
    status: int | None
    ip: str | None


def _row(event: Event) -> dict[str, Any]:
    """The audit event's column values (texts cut to their columns' lengths)."""
    target = event.get("target")
    route = event.get("route")
    ip = event.get("ip")
    return {
        "action": event["action"][:64],
        "actor": event["actor"],
        "user_id": event.get("user_id"),
        "target_type": target[0] if target else None,
        "target_id": target[1] if target else None,
        "method": event.get("method"),
        "route": route[:200] if route else None,
        "status": event.get("status"),
        "ip": ip[:64] if ip else None,
    }


def record(db: Session, **event: Unpack[Event]) -> None:
    """Add one audit event to the session's transaction."""
    db.add(AuditEvent(**_row(event)))


def append(engine: Engine, **event: Unpack[Event]) -> None:
    """Write one audit event in a transaction of its own, without the ORM's unit of work (the
    access record of every request: a third of the CPU time of a small one through
    :func:`record`)."""
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent), [_row(event)])


def record_user(
    db: Session, user_id: int, action: str, target: tuple[str, int] | None = None
) -> None:
    """Add one audit event of a signed-in account's action (on ``target``, when it has one)."""
    record(db, action=action, actor="user", user_id=user_id, target=target)
