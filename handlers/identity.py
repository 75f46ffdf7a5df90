"""Matching a platform user to a person on the roster: by stored id, else by e-mail once."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Actor, NotOnRoster, PlatformUser
from storage.repo import people

log = logging.getLogger(__name__)


async def resolve(session: AsyncSession, user: PlatformUser) -> Actor:
    person = await people.by_identity(
        session,
        platform=user.platform,
        workspace_id=user.workspace_id,
        external_id=user.external_id,
    )
    if person is None:
        email = await user.email_lookup() if user.email_lookup else None
        person = await people.by_email(session, email=email) if email else None
        if person is None or person.id is None:
            # The external id is an e-mail on the console: not logged.
            log.info("unmatched %s user", user.platform)
            raise NotOnRoster()
        await people.link_identity(
            session,
            person_id=person.id,
            platform=user.platform,
            workspace_id=user.workspace_id,
            external_id=user.external_id,
            conversation_reference=user.conversation_reference,
        )
        log.info("linked person_id=%s to a %s identity", person.id, user.platform)
    elif user.conversation_reference is not None and person.id is not None:
        await people.link_identity(
            session,
            person_id=person.id,
            platform=user.platform,
            workspace_id=user.workspace_id,
            external_id=user.external_id,
            conversation_reference=user.conversation_reference,
        )
    assert person.id is not None
    roles = await people.roles_of(session, person_id=person.id)
    return Actor(person_id=person.id, name=person.full_name, roles=roles, platform=user.platform)
