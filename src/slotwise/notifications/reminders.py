"""Booking reminders: rows due at start − minutes_before_event, fired by the worker."""

from __future__ import annotations

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.webhooks.policy import DeliveryPolicy


def fire_due(db: Database, settings: Settings, policy: DeliveryPolicy) -> int:
    return 0
