"""Signed, expiring links to a report page: `<public url>/reports/<token>`.

The token is the grant (which report, for whom, until when) as compact JSON, base64url,
and an HMAC-SHA256 of it under MENTORBOT_LINK_SECRET. It names the asker, not their
rights: the rights are read from the roster again when the link is opened, so a link
stops working for someone who lost the role. Nothing personal is in the token but ids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

PATH = "/reports/"
DEFAULT_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Grant:
    kind: str  # cohort | idp | school | quality
    person_id: int  # who asked
    expires: int  # POSIX seconds
    target: int | None = None  # the trainee (idp), the school (school), the mentor (quality)
    programme: str | None = None
    review_point: str | None = None


@dataclass(frozen=True, slots=True)
class LinkSettings:
    secret: bytes
    base_url: str
    ttl: timedelta = DEFAULT_TTL

    def make(self, grant_kind: str, *, person_id: int, now: datetime, **extra: object) -> str:
        expires = int((now + self.ttl).timestamp())
        grant = Grant(grant_kind, person_id, expires, **extra)  # type: ignore[arg-type]
        return self.base_url.rstrip("/") + PATH + sign(grant, self.secret)

    @property
    def hours(self) -> int:
        return max(1, round(self.ttl.total_seconds() / 3600))


_settings: LinkSettings | None = None


def configure(settings: LinkSettings | None) -> None:
    """Set by the composition root from the environment; None switches links off."""
    global _settings
    _settings = settings


def current() -> LinkSettings | None:
    return _settings


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def sign(grant: Grant, secret: bytes) -> str:
    fields = {k: v for k, v in asdict(grant).items() if v is not None}
    payload = _b64(json.dumps(fields, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_mac(payload, secret)}"


def verify(token: str, secret: bytes, *, now: datetime) -> Grant | None:
    """The grant of an untouched, unexpired token; None for anything else."""
    payload, _, mac = token.partition(".")
    if not payload or not mac or len(token) > 2048:
        return None
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        return None
    try:
        grant = Grant(**json.loads(_unb64(payload)))
    except (ValueError, TypeError, binascii.Error):
        return None
    numbers = (grant.expires, grant.person_id, grant.target or 0)
    if not all(isinstance(n, int) for n in numbers) or grant.expires <= now.timestamp():
        return None
    return grant
