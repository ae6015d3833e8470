"""The audit log: every access and change, with ids and route templates only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kinchain.store.models import AuditEvent


def record(
    db: Session,
    *,
    action: str,
    actor: str,
    user_id: int | None = None,
    target: tuple[str, int] | None = None,
    method: str | None = None,
    route: str | None = None,
    status: int | None = None,
    ip: str | None = None,
) -> None:
    """Add one audit event to the session's transaction."""
    db.add(
        AuditEvent(
            action=action[:64],
            actor=actor,
            user_id=user_id,
            target_type=target[0] if target else None,
            target_id=target[1] if target else None,
            method=method,
            route=route[:200] if route else None,
            status=status,
            ip=ip[:64] if ip else None,
        )
    )


def record_user(
    db: Session, user_id: int, action: str, target: tuple[str, int] | None = None
) -> None:
    """Add one audit event of a signed-in account's action (on ``target``, when it has one)."""
    record(db, action=action, actor="user", user_id=user_id, target=target)
