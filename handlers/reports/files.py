"""The reports as files: CSV (the standard library's csv; the IDP as one CSV per record
kind, zipped) and JSON."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from storage.reports import records
from storage.reports.cohort import CohortReport
from storage.reports.common import PlacementRow
from storage.reports.records import Idp

# The IDP's record kinds, in the order of the page; each is a CSV file and a JSON key.
IDP_KINDS: dict[str, type] = {
    "placements": PlacementRow,
    "meetings": records.MeetingRecord,
    "observations": records.ObservationRecord,
    "ratings": records.RatingRecord,
    "targets": records.TargetRecord,
    "set_targets": records.SetTargetRecord,
    "concerns": records.ConcernRecord,
    "escalations": records.EscalationRecord,
    "support_plans": records.SupportStageRecord,
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _records(idp: Idp, kind: str) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in dataclasses.asdict(r).items()} for r in getattr(idp, kind)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def idp_json(idp: Idp) -> str:
    body: dict[str, Any] = {
        "trainee": {"id": idp.trainee_id, "name": idp.trainee_name, "email": idp.trainee_email},
        "counts": idp.counts(),
    }
    body.update({kind: _records(idp, kind) for kind in IDP_KINDS})
    grid = idp.grid
    body["rating_grid"] = {
        "review_points": list(grid.review_points),
        "standards": {
            code: {point: grid.at(code, point) for point in grid.review_points}
            for code, _ in grid.standards
        },
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def idp_csv_files(idp: Idp) -> dict[str, str]:
    """One CSV per record kind (a header row even when there are none)."""
    files: dict[str, str] = {}
    for kind, record in IDP_KINDS.items():
        header = [f.name for f in dataclasses.fields(record)]
        rows = ([r[h] for h in header] for r in _records(idp, kind))
        files[f"{kind}.csv"] = _csv(header, rows)
    return files


def idp_csv_zip(idp: Idp) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in idp_csv_files(idp).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def cohort_csv(report: CohortReport) -> str:
    """One row per trainee: who and where, the latest rating per standard, meetings held
    and signed off, feedback timeliness, and how many concerns/escalations are open."""
    codes = [code for code, _ in report.standards]
    header = [
        "trainee",
        "email",
        "school",
        "mentor",
        "programme",
        *codes,
        "meetings_signed_off",
        "meetings_recorded",
        "observations",
        "mean_days_to_feedback",
        "mean_days_to_acknowledgement",
        "unacknowledged",
        "open_items",
    ]
    held: dict[int, int] = {}
    recorded: dict[int, int] = {}
    for (pid, _week), status in report.meetings.items():
        recorded[pid] = recorded.get(pid, 0) + 1
        held[pid] = held.get(pid, 0) + (status == "held")
    open_items: dict[int, int] = {}
    for item in report.open_items:
        open_items[item.placement_id] = open_items.get(item.placement_id, 0) + 1
    rows = []
    for p in report.trainees:
        tl = report.timeliness.get(p.id)
        rows.append(
            [
                p.trainee_name,
                p.trainee_email,
                p.school_name,
                p.mentor_name,
                p.programme_name,
                *(report.rating(p.id, code) or "" for code in codes),
                held.get(p.id, 0),
                recorded.get(p.id, 0),
                tl.observations if tl else 0,
                tl.mean_days_to_feedback if tl else None,
                tl.mean_days_to_acknowledgement if tl else None,
                tl.unacknowledged if tl else 0,
                open_items.get(p.id, 0),
            ]
        )
    return _csv(header, rows)
