"""The roster as the console shows it: who someone is, their roles, and where the bot
reaches them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import outbox, people

LEADERSHIP = frozenset({"itt_lead", "admin"})
ROLE_NAMES = {
    "trainee": "trainee",
    "mentor": "mentor",
    "lead_mentor": "lead mentor",
    "itt_lead": "ITT lead",
    "admin": "admin",
    "tutor": "university tutor",
}
ROLE_ORDER = tuple(ROLE_NAMES)


@dataclass(frozen=True, slots=True)
class Who:
    """A person on the roster, as the console shows them."""

    person_id: int
    name: str
    email: str
    roles: frozenset[str]
    platform: str | None  # where the bot reaches them: their school's platform

    @property
    def leadership(self) -> bool:
        return bool(self.roles & LEADERSHIP)

    @property
    def role_text(self) -> str:
        return ", ".join(ROLE_NAMES[r] for r in ROLE_ORDER if r in self.roles) or "no role"


class Roster:
    """People looked up once per console session (the demo shows hundreds of messages)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._people: dict[int, Who | None] = {}
        self._emails: dict[str, Who] = {}

    async def lookup(self, email: str) -> Who | None:
        key = email.strip().lower()
        if key not in self._emails:
            async with self.sessions() as s:
                person = await people.by_email(s, email=key)
                found = None
                if person is not None and person.id is not None:
                    found = await self._who(s, person.id)
            if found is None:
                return None  # not remembered: they may be added to the roster meanwhile
            self._emails[key] = found
        return self._emails[key]

    async def person(self, person_id: int) -> Who | None:
        if person_id not in self._people:
            async with self.sessions() as s:
                self._people[person_id] = await self._who(s, person_id)
        return self._people[person_id]

    async def _who(self, s: AsyncSession, person_id: int) -> Who | None:
        person = await people.by_id(s, person_id=person_id)
        if person is None:
            return None
        roles = await people.roles_of(s, person_id=person_id)
        found = await outbox.recipient(s, person_id=person_id)
        return Who(
            person_id,
            person.full_name,
            person.email,
            roles,
            found.platform if found else None,
        )
