"""Who hears that stored events moved or were cancelled.

The events service (changes made through the API) and the mirror sync (changes found on a
calendar server) publish the ids of the event rows they changed, inside the transaction that
changed them. Listeners react in that same transaction, so a change and its consequences
commit or roll back together and a crash loses neither.

The domains that react (bookings follow their events) sit above the ones that publish, so they
cannot be called directly without an import cycle; the layer that assembles the application
(the API app factory, the worker) subscribes them instead. Subscribing is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

Listener = Callable[[Session, Sequence[str]], None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def publish(session: Session, event_ids: Sequence[str]) -> None:
    """Tell every listener that these event rows changed (in `session`'s transaction)."""
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return
    for listener in list(_listeners):
        listener(session, ids)
