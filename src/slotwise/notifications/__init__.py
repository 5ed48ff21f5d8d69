"""What the outside world is told about changes: recorded in the transaction of the change."""

from slotwise.notifications.outbox import record

__all__ = ["record"]
