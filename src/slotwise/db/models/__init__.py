"""Every table, one module each, re-exported so any domain can import any model."""

from slotwise.db.models.access_token import AccessToken
from slotwise.db.models.api_key import ApiKey
from slotwise.db.models.booking import Booking
from slotwise.db.models.calendar import Calendar
from slotwise.db.models.configuration import Configuration
from slotwise.db.models.event import Event
from slotwise.db.models.grant import Grant
from slotwise.db.models.group_event import GroupEvent, WaitlistEntry
from slotwise.db.models.health_probe import HealthProbe
from slotwise.db.models.hold import Hold, HoldHost
from slotwise.db.models.idempotency import IdempotencyRecord
from slotwise.db.models.limits import BookingHost, GrantLimits
from slotwise.db.models.outbox import OutboxMessage
from slotwise.db.models.participant_lock import ParticipantLock
from slotwise.db.models.provider import ProviderCalendar, ProviderItem, RemoteWrite
from slotwise.db.models.rate_limit import RateLimitCounter
from slotwise.db.models.scheduling_page import (
    PageAccount,
    PageBooking,
    PageImage,
    SchedulingPage,
)
from slotwise.db.models.scheduling_session import SchedulingSession
from slotwise.db.models.webhook import (
    Delivery,
    DeliveryAttempt,
    IcalSequence,
    Reminder,
    WebhookDestination,
)

__all__ = [
    "AccessToken",
    "ApiKey",
    "Booking",
    "BookingHost",
    "Calendar",
    "Configuration",
    "Delivery",
    "DeliveryAttempt",
    "Event",
    "Grant",
    "GrantLimits",
    "GroupEvent",
    "HealthProbe",
    "Hold",
    "HoldHost",
    "IcalSequence",
    "IdempotencyRecord",
    "OutboxMessage",
    "PageAccount",
    "PageBooking",
    "PageImage",
    "ParticipantLock",
    "ProviderCalendar",
    "ProviderItem",
    "RateLimitCounter",
    "RemoteWrite",
    "Reminder",
    "SchedulingPage",
    "SchedulingSession",
    "WaitlistEntry",
    "WebhookDestination",
]
