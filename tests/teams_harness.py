"""Drives the running aiohttp app the way Teams does: real-shaped activities over HTTP, the
connector served by a local stub that records what the bot sends."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.runtime import Runtime
from tests.stubs.bf_connector import ConnectorStub, Member

# Teams tenant ids are GUIDs; the edge refuses any other.
TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
BOT = {"id": "28:bot-app-id", "name": "mentorbot"}
TEAM = "19:team-general-3f2c@thread.tacv2"
CHANNEL = "19:itt-leadership-9a1b@thread.tacv2"


def _personal_id(aad: str) -> str:
    # Real 1:1 conversation ids are ~130 characters: longer than the outbox keeps.
    return "a:1" + (aad.replace("-", "") * 20)[:134]


@dataclass(frozen=True)
class User:
    key: str
    id: str
    aad: str
    name: str
    email: str

    @property
    def chat(self) -> str:
        return _personal_id(self.aad)


USERS = {
    u.key: u
    for u in (
        User("mentor", "29:1mentor", "aad-mentor-0001", "Mo Mentor", "mo.mentor@example.org"),
        User(
            "trainee", "29:1trainee", "aad-trainee-0002", "Tara Trainee", "tara.trainee@example.org"
        ),
        User("other", "29:1other", "aad-other-0003", "Omar Mentor", "omar.mentor@example.org"),
        User("lead", "29:1lead", "aad-lead-0004", "Lee Lead", "lee.lead@example.org"),
        User("itt", "29:1itt", "aad-itt-0005", "Ida Itt", "ida.itt@example.org"),
        User("stranger", "29:1stranger", "aad-stranger-0006", "Stan Ger", "stranger@example.org"),
    )
}


def members() -> list[Member]:
    return [Member(u.id, u.aad, u.name, u.email) for u in USERS.values()]


@dataclass
class TeamsHarness:
    http: aiohttp.ClientSession
    stub: ConnectorStub
    runtime: Runtime
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    def activity(
        self,
        user: str,
        kind: str = "message",
        *,
        conversation: str | None = None,
        conversation_type: str = "personal",
        **fields: Any,
    ) -> dict[str, Any]:
        u = USERS[user]
        conv: dict[str, Any] = {
            "id": conversation or u.chat,
            "conversationType": conversation_type,
            "tenantId": TENANT,
        }
        channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
        if conversation_type == "channel":
            conv["isGroup"] = True
            base = conv["id"].split(";", 1)[0]
            channel_data.update({"team": {"id": TEAM}, "channel": {"id": base}})
        activity = {
            "type": kind,
            "id": f"in-{next(self._ids)}",
            "timestamp": "2026-11-18T10:00:00.000Z",
            "localTimestamp": "2026-11-18T10:00:00.000+00:00",
            "serviceUrl": self.stub.url,
            "channelId": "msteams",
            "from": {"id": u.id, "name": u.name, "aadObjectId": u.aad},
            "conversation": conv,
            "recipient": dict(BOT),
            "locale": "en-GB",
            "channelData": channel_data,
        }
        activity.update(fields)
        return activity

    async def post(
        self, activity: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        data = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.http.post("/api/messages", data=data, headers=all_headers) as response:
            return response.status, await response.text()

    async def say(self, user: str, text: str, **kw: Any) -> int:
        status, _ = await self.post(self.activity(user, text=text, textFormat="plain", **kw))
        return status

    async def install(self, user: str) -> None:
        """A personal install, as Teams sends it: conversationUpdate, then installationUpdate."""
        added = self.activity(user, "conversationUpdate", membersAdded=[dict(BOT)])
        status, _ = await self.post(added)
        assert status == 200
        update = self.activity(user, "installationUpdate", action="add")
        status, _ = await self.post(update)
        assert status == 200

    async def press(self, user: str, card_id: str, action: str, value: str, **kw: Any) -> int:
        data = {"mb": {"action": action, "value": value}}
        status, _ = await self.post(self.activity(user, replyToId=card_id, value=data, **kw))
        return status

    def card(self, activity_id: str) -> dict[str, Any]:
        sent = self.stub.activities[activity_id]
        return sent["attachments"][0]["content"]

    def submit_data(self, activity_id: str) -> dict[str, Any]:
        card = self.card(activity_id)
        submit = next(a for a in card.get("actions", []) if a["type"] == "Action.Submit")
        return submit["data"]

    async def submit(self, user: str, card_id: str, values: dict[str, Any], **kw: Any) -> int:
        """Fill in a form card as a person would (inputs are strings) and submit it."""
        value = {**self.submit_data(card_id), **values}
        status, _ = await self.post(self.activity(user, replyToId=card_id, value=value, **kw))
        return status

    def sent(self, conversation: str) -> list[tuple[str, dict[str, Any]]]:
        """(activity id, card) for each card the bot sent to a conversation, oldest first."""
        out = []
        for call in self.stub.calls:
            if call.kind in ("send", "reply") and call.conversation_id == conversation:
                assert call.result_id is not None
                out.append((call.result_id, call.body["attachments"][0]["content"]))
            elif (
                call.kind == "create"
                and call.result_id
                and (call.body.get("channelData", {}).get("channel", {}).get("id") == conversation)
            ):
                out.append((call.result_id, call.body["activity"]["attachments"][0]["content"]))
        return out

    def last(self, conversation: str) -> tuple[str, dict[str, Any]]:
        found = self.sent(conversation)
        assert found, f"nothing sent to {conversation}: {[c.kind for c in self.stub.calls]}"
        return found[-1]

    def updates(self, activity_id: str) -> list[dict[str, Any]]:
        return [
            c.body["attachments"][0]["content"]
            for c in self.stub.called("update")
            if c.activity_id == activity_id
        ]


def text_of(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


_VALIDATOR: Any = None


def assert_valid(card: dict[str, Any]) -> None:
    """An Adaptive Card 1.5 (by the published schema) that Teams will take (under 28 KB)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        from pathlib import Path

        from jsonschema import Draft6Validator

        schema = json.loads(
            (Path(__file__).parent / "schemas" / "adaptive-card-1.5.json").read_text()
        )
        _VALIDATOR = Draft6Validator(schema)
    errors = sorted(_VALIDATOR.iter_errors(card), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
    assert card["version"] == "1.5"
    activity = {"type": "message", "attachments": [{"contentType": "x", "content": card}]}
    assert len(json.dumps(activity, ensure_ascii=False).encode()) < 28 * 1024
