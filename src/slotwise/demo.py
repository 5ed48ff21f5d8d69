"""Demo data: one grant (demo@slotwise.local), its primary calendar, a realistic week, and a
public booking page (/book/demo) over that calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from slotwise.calendars.service import resolve_calendar
from slotwise.db.models import Configuration, Grant
from slotwise.events.service import create_event
from slotwise.grants import repository as grants_repository
from slotwise.grants.service import connect_custom
from slotwise.links import DEMO_SLUG
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling.service import create_configuration

DEMO_EMAIL = "demo@slotwise.local"
DEMO_ZONE = "Europe/London"

# (weekday 0=Monday, start "HH:MM", minutes, title, extra fields)
_WEEK: list[tuple[int, str, int, str, dict[str, Any]]] = [
    (0, "10:00", 60, "Roadmap review", {"location": "Room 2"}),
    (
        1,
        "14:00",
        45,
        "Interview: backend engineer",
        {"participants": [{"email": "candidate@example.com", "name": "Sam Candidate"}]},
    ),
    (2, "12:30", 60, "Lunch (free)", {"busy": False}),
    (3, "15:00", 90, "Customer call", {"participants": [{"email": "buyer@example.com"}]}),
    (4, "16:00", 60, "Team retro", {}),
]


def seed_demo(session: Session, today: date) -> Grant:
    """Create the demo grant and a week of events (this week, the next one from Saturday).

    A second run changes nothing.
    """
    existing = grants_repository.find_grant_by_email(session, DEMO_EMAIL)
    if existing is not None:
        return existing
    grant = connect_custom(
        session,
        {
            "provider": "virtual-calendar",
            "settings": {"email": DEMO_EMAIL, "name": "Demo User", "timezone": DEMO_ZONE},
        },
    ).grant
    calendar = resolve_calendar(session, grant, "primary")
    zone = ZoneInfo(DEMO_ZONE)
    monday = today - timedelta(days=today.weekday())
    if today.weekday() >= 5:  # on a weekend this week is over: show the coming one
        monday += timedelta(days=7)

    def at(day: date, hhmm: str) -> int:
        hour, minute = map(int, hhmm.split(":"))
        return int(datetime.combine(day, time(hour, minute), zone).timestamp())

    first = at(monday, "09:30")
    create_event(
        session,
        grant,
        calendar,
        {
            "title": "Daily standup",
            "when": {"start_time": first, "end_time": first + 15 * 60, "start_timezone": DEMO_ZONE},
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
        },
    )
    one_on_one = at(monday + timedelta(days=1), "11:00")
    create_event(
        session,
        grant,
        calendar,
        {
            "title": "1:1 with manager",
            "when": {
                "start_time": one_on_one,
                "end_time": one_on_one + 30 * 60,
                "start_timezone": DEMO_ZONE,
            },
            "recurrence": ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=12"],
            "participants": [{"email": "manager@example.com", "name": "Morgan"}],
        },
    )
    for weekday, start, minutes, title, extra in _WEEK:
        begin = at(monday + timedelta(days=weekday), start)
        create_event(
            session,
            grant,
            calendar,
            {
                "title": title,
                "when": {"start_time": begin, "end_time": begin + minutes * 60},
                **extra,
            },
        )
    create_event(
        session,
        grant,
        calendar,
        {
            "title": "Company offsite",
            "when": {"date": (monday + timedelta(days=4)).isoformat()},
            "busy": False,
        },
    )
    return grant


def seed_demo_page(session: Session, grant: Grant) -> Configuration:
    """The public booking page /book/demo: 30-minute meetings, weekdays 9-17 in DEMO_ZONE."""
    existing = scheduling_repository.find_by_slug(session, DEMO_SLUG)
    if existing is not None:
        return existing
    return create_configuration(
        session,
        grant,
        {
            "slug": DEMO_SLUG,
            "requires_session_auth": False,
            "participants": [
                {
                    "email": DEMO_EMAIL,
                    "name": "Demo User",
                    "is_organizer": True,
                    "availability": {"calendar_ids": ["primary"]},
                    "booking": {"calendar_id": "primary"},
                }
            ],
            "availability": {
                "duration_minutes": 30,
                "availability_rules": {
                    "default_open_hours": [
                        {
                            "days": [1, 2, 3, 4, 5],
                            "start": "9:00",
                            "end": "17:00",
                            "timezone": DEMO_ZONE,
                        }
                    ]
                },
            },
            "event_booking": {
                "title": "Meeting with the demo user",
                "description": "A 30-minute call, booked through Slotwise's demo page.",
                "timezone": DEMO_ZONE,
            },
            "appearance": {"company_name": "Slotwise demo", "color": "#0f766e"},
            "scheduler": {
                "min_booking_notice": 60,
                "available_days_in_future": 30,
                "cancellation_policy": "Plans change: reschedule or cancel up to an hour before.",
                "additional_fields": {
                    "topic": {
                        "label": "What would you like to talk about?",
                        "type": "multi_line_text",
                        "required": False,
                    },
                },
            },
        },
    )
