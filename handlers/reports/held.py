"""Subject access as files: everything held about one person as JSON and a readable page
(the reports' autoescaped templates)."""

from __future__ import annotations

import json
from datetime import datetime

from handlers.reports.render import environment
from storage.privacy.held import Held


def held_json(held: Held, *, generated_at: datetime) -> str:
    s = held.subject
    body = {
        "person": {"id": s.id, "email": s.email, "name": s.full_name, "roles": sorted(s.roles)},
        "generated_at": generated_at.isoformat(),
        "counts": held.counts(),
        "records": held.tables,
    }
    return json.dumps(body, ensure_ascii=False, indent=2, default=str)


def held_html(held: Held, *, generated_at: datetime, has_idp: bool) -> str:
    return (
        environment()
        .get_template("held.html.j2")
        .render(
            subject=held.subject, tables=held.tables, generated_at=generated_at, has_idp=has_idp
        )
    )
