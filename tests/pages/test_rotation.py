"""The rotation is a total order: bookings made in the same second still rotate in the order
they were made (the event's rotation_seq), not by email. Both databases, clock set."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.pages.test_flow import advance, book, hosts_offered, slots
from tests.support.pages import account, create_page, page_body

__all__ = ["advance"]  # the fixture, used by name


def test_bookings_in_one_second_rotate_in_the_order_they_were_made(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    body = page_body(ann, bob, slug="same-second")
    body["config"]["booking"]["scheduling_method"] = "round-robin-maximize-fairness"
    create_page(anon, body, ann.token)
    assert book(anon, "same-second", slots(anon, "same-second")[0]).json()["account_id"] == (
        ann.grant_id
    )
    advance(60)
    # From here on the clock stands still: bob, then ann, are booked in the same second.
    assert book(anon, "same-second", slots(anon, "same-second")[0]).json()["account_id"] == (
        bob.grant_id
    )
    assert book(anon, "same-second", slots(anon, "same-second")[0]).json()["account_id"] == (
        ann.grant_id
    )
    # Both were last booked this second; bob's booking came first, so bob is next, though
    # ann sorts first by email.
    assert hosts_offered(slots(anon, "same-second")) == {bob.grant_id}
    assert book(anon, "same-second", slots(anon, "same-second")[0]).json()["account_id"] == (
        bob.grant_id
    )
    assert hosts_offered(slots(anon, "same-second")) == {ann.grant_id}
