"""A data generator: N trainees with a full academic year of history.

Each trainee has a placement (two trainees per mentor, twenty per lead mentor and
school), weekly meetings signed off for most teaching weeks (some missed), Teachers'
Standards ratings at three review points, observations and a few concerns. Written with
core bulk inserts so that 30,000 trainees take well under a minute.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.calendar_rules import ProgrammeCalendar, Span
from storage.catalogue import TEACHERS_STANDARDS
from storage.models import (
    CalendarEntry,
    Observation,
    Person,
    PersonRole,
    Placement,
    Programme,
    RagRating,
    ReviewPoint,
    School,
    WeeklyMeeting,
)

YEAR_START, YEAR_END = date(2026, 9, 7), date(2027, 7, 16)
CALENDAR = [
    ("term", "Autumn term", date(2026, 9, 7), date(2026, 12, 18)),
    ("holiday", "Autumn half-term", date(2026, 10, 26), date(2026, 10, 30)),
    ("inset", "INSET November", date(2026, 11, 20), date(2026, 11, 20)),
    ("term", "Spring term", date(2027, 1, 4), date(2027, 3, 26)),
    ("holiday", "Spring half-term", date(2027, 2, 15), date(2027, 2, 19)),
    ("term", "Summer term", date(2027, 4, 12), date(2027, 7, 16)),
    ("holiday", "Summer half-term", date(2027, 5, 31), date(2027, 6, 4)),
]
REVIEW_POINTS = [
    ("Review point 1", date(2026, 12, 7), date(2026, 12, 11)),
    ("Review point 2", date(2027, 3, 15), date(2027, 3, 19)),
    ("Review point 3", date(2027, 6, 21), date(2027, 6, 25)),
]
CHUNK = 2000


async def _bulk(engine: AsyncEngine, model: Any, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        for i in range(0, len(rows), CHUNK):
            await conn.execute(insert(model.__table__), rows[i : i + CHUNK])


async def generate(
    engine: AsyncEngine, trainees: int, *, until: date, seed: int = 7
) -> dict[str, int]:
    """Fill an empty, migrated database; history runs from September up to `until`."""
    rnd = random.Random(seed)
    now = datetime(2026, 9, 1, tzinfo=UTC)
    mentors, leads = max(trainees // 2, 1), max(trainees // 20, 1)
    schools = leads
    await _bulk(engine, Programme, [{"id": 1, "name": "PGCE 2026-27"}])
    await _bulk(
        engine,
        School,
        [
            {
                "id": i + 1,
                "name": f"School {i}",
                "platform": "slack" if i % 2 else "teams",
                "timezone": "Europe/London",
            }
            for i in range(schools)
        ],
    )
    people: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    pid = 0

    def person(name: str, role: str) -> int:
        nonlocal pid
        pid += 1
        people.append(
            {
                "id": pid,
                "email": f"{role}{pid}@bench.example.org",
                "full_name": name,
                "created_at": now,
                "updated_at": now,
            }
        )
        roles.append({"person_id": pid, "role": role})
        return pid

    trainee_ids = [person(f"Trainee {i}", "trainee") for i in range(trainees)]
    mentor_ids = [person(f"Mentor {i}", "mentor") for i in range(mentors)]
    lead_ids = [person(f"Lead {i}", "lead_mentor") for i in range(leads)]
    await _bulk(engine, Person, people)
    await _bulk(engine, PersonRole, roles)
    placements = [
        {
            "id": i + 1,
            "trainee_id": t,
            "mentor_id": mentor_ids[i // 2 % mentors],
            "lead_mentor_id": lead_ids[i // 20 % leads],
            "school_id": i // 20 % schools + 1,
            "programme_id": 1,
            "start_date": YEAR_START,
            "end_date": YEAR_END,
        }
        for i, t in enumerate(trainee_ids)
    ]
    await _bulk(engine, Placement, placements)
    await _bulk(
        engine,
        CalendarEntry,
        [
            {"programme_id": 1, "kind": k, "name": n, "start_date": s, "end_date": e}
            for k, n, s, e in CALENDAR
        ],
    )
    await _bulk(
        engine,
        ReviewPoint,
        [
            {"id": i + 1, "programme_id": 1, "name": n, "start_date": s, "end_date": e}
            for i, (n, s, e) in enumerate(REVIEW_POINTS)
        ],
    )
    calendar = ProgrammeCalendar([Span(k, s, e) for k, _n, s, e in CALENDAR])
    weeks = [
        YEAR_START + timedelta(weeks=w)
        for w in range(60)
        if YEAR_START + timedelta(weeks=w) < until - timedelta(days=until.weekday())
    ]
    weeks = [w for w in weeks if calendar.is_teaching_week(w)]
    meetings: list[dict[str, Any]] = []
    for p in placements:
        for w in weeks:
            if rnd.random() < 0.07:
                continue  # a missed week
            signed = datetime.combine(w + timedelta(days=1), datetime.min.time(), UTC)
            meetings.append(
                {
                    "placement_id": p["id"],
                    "week_start": w,
                    "status": "held",
                    "held_on": w + timedelta(days=1),
                    "duration_minutes": 60,
                    "progress_discussed": "Progress on behaviour routines",
                    "targets": "Questioning",
                    "wellbeing": "green",
                    "signed_off_by_id": p["mentor_id"],
                    "signed_off_at": signed,
                }
            )
    await _bulk(engine, WeeklyMeeting, meetings)
    ratings: list[dict[str, Any]] = []
    for i, (_n, start, _e) in enumerate(REVIEW_POINTS):
        if start >= until:
            continue
        when = datetime.combine(start + timedelta(days=2), datetime.min.time(), UTC)
        for p in placements:
            for s in TEACHERS_STANDARDS:
                rating = rnd.choices(["green", "amber", "red"], weights=[80, 18, 2])[0]
                ratings.append(
                    {
                        "scale": "teachers_standards",
                        "item_code": s.code,
                        "rating": rating,
                        "comment": "",
                        "targets": "",
                        "subject_id": p["trainee_id"],
                        "rater_id": p["mentor_id"],
                        "placement_id": p["id"],
                        "review_point_id": i + 1,
                        "created_at": when,
                    }
                )
    await _bulk(engine, RagRating, ratings)
    observations = [
        {
            "placement_id": p["id"],
            "observer_id": p["mentor_id"],
            "observed_on": w,
            "lesson": "Y5 maths",
            "focus": "Questioning",
            "strengths": "Pace",
            "areas_for_development": "Wait time",
            "targets": "Wait",
            "created_at": datetime.combine(w, datetime.min.time(), UTC),
            "acknowledged_at": datetime.combine(w + timedelta(days=1), datetime.min.time(), UTC),
        }
        for p in placements
        for w in weeks[::4]
    ]
    await _bulk(engine, Observation, observations)
    return {
        "trainees": trainees,
        "meetings": len(meetings),
        "ratings": len(ratings),
        "observations": len(observations),
    }
