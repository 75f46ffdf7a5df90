"""Interactions acknowledged to the platform while the bot was too busy to handle them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class ParkedInteraction(SQLModel, table=True):
    """What a person did (a press, a form, a typed command), kept until it is handled.

    Written in the moment between "the bot is busy" and the platform's acknowledgement, so
    that what a person typed survives even if the process dies right after; deleted in the
    same transaction that handles it. `event_key` is the interaction's idempotency key: the
    parked copy and a late in-process copy of the same interaction record once.
    """

    __tablename__ = "parked_interaction"
    __table_args__ = (
        sa.UniqueConstraint("platform", "event_key"),
        sa.Index("ix_parked_due", "next_attempt_at"),
        sa.Index("ix_parked_order", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(sa_type=sa.String(16))
    workspace_id: str = Field(default="", sa_type=sa.String(64))
    external_id: str = Field(sa_type=sa.String(255))
    event_key: str = Field(sa_type=sa.String(255))
    # 0: something typed or chosen in a form (handled first); 1: a bare button press.
    priority: int = Field(
        default=0, sa_type=sa.SmallInteger, sa_column_kwargs={"server_default": "0"}
    )
    # The neutral interaction as JSON (handlers.intake writes and reads it).
    interaction: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
