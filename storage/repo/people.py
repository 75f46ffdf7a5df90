"""People, roles and platform identities."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import Person, PersonRole, PlatformIdentity
from storage.repo import outbox
from storage.repo.upsert import insert_ignore
from storage.types import utcnow


async def by_id(session: AsyncSession, *, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def by_email(session: AsyncSession, *, email: str) -> Person | None:
    stmt = select(Person).where(Person.email == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_identity(
    session: AsyncSession, *, platform: str, workspace_id: str, external_id: str
) -> Person | None:
    stmt = (
        select(Person)
        .join(PlatformIdentity, PlatformIdentity.person_id == Person.id)
        .where(
            PlatformIdentity.platform == platform,
            PlatformIdentity.workspace_id == workspace_id,
            PlatformIdentity.external_id == external_id,
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def roles_of(session: AsyncSession, *, person_id: int) -> frozenset[str]:
    stmt = select(PersonRole.role).where(PersonRole.person_id == person_id)
    return frozenset((await session.execute(stmt)).scalars().all())


async def with_role(session: AsyncSession, *, role: str) -> list[Person]:
    stmt = (
        select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(PersonRole.role == role)
        .order_by(Person.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def identity_of(
    session: AsyncSession, *, person_id: int, platform: str
) -> PlatformIdentity | None:
    stmt = (
        select(PlatformIdentity)
        .where(PlatformIdentity.person_id == person_id, PlatformIdentity.platform == platform)
        .order_by(PlatformIdentity.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def link_identity(
    session: AsyncSession,
    *,
    person_id: int,
    platform: str,
    workspace_id: str,
    external_id: str,
    conversation_reference: dict[str, Any] | None = None,
) -> PlatformIdentity:
    """Remember how to reach a person; updates the stored conversation reference.

    Reads first, so an identity already stored with the same reference writes nothing.
    Safe when two transactions learn the same identity at once (two messages to one
    person dispatched together): the insert is ignored on conflict, then read back.
    A newly stored reference releases what was held for the person (Teams: messages
    queued before the app was installed for them), in the same transaction."""
    stmt = select(PlatformIdentity).where(
        PlatformIdentity.platform == platform,
        PlatformIdentity.workspace_id == workspace_id,
        PlatformIdentity.external_id == external_id,
    )
    identity = (await session.execute(stmt)).scalar_one_or_none()
    if identity is not None:
        if (
            conversation_reference is not None
            and identity.conversation_reference != conversation_reference
        ):
            identity.conversation_reference = conversation_reference
            await session.flush()
            await outbox.release_held(session, person_id=identity.person_id)
        return identity
    await insert_ignore(
        session,
        PlatformIdentity,
        [
            {
                "person_id": person_id,
                "platform": platform,
                "workspace_id": workspace_id,
                "external_id": external_id,
                "conversation_reference": conversation_reference,
                "created_at": utcnow(),
            }
        ],
        conflict=["platform", "workspace_id", "external_id"],
    )
    stmt = select(PlatformIdentity).where(
        PlatformIdentity.platform == platform,
        PlatformIdentity.workspace_id == workspace_id,
        PlatformIdentity.external_id == external_id,
    )
    identity = (await session.execute(stmt)).scalar_one()
    if (
        conversation_reference is not None
        and identity.conversation_reference != conversation_reference
    ):
        identity.conversation_reference = conversation_reference
        await session.flush()
    if conversation_reference is not None:
        await outbox.release_held(session, person_id=identity.person_id)
    return identity


async def forget_conversation(
    session: AsyncSession, *, platform: str, workspace_id: str, external_id: str
) -> int | None:
    """The person's chat with the bot is gone (they removed the app): the stored reference
    is dropped, so messages wait for a new one. The person's id, or None if unknown."""
    stmt = select(PlatformIdentity).where(
        PlatformIdentity.platform == platform,
        PlatformIdentity.workspace_id == workspace_id,
        PlatformIdentity.external_id == external_id,
    )
    identity = (await session.execute(stmt)).scalar_one_or_none()
    if identity is None or identity.conversation_reference is None:
        return None
    identity.conversation_reference = None
    await session.flush()
    return identity.person_id
