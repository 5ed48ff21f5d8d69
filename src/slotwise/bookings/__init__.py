"""Bookings made through a scheduling configuration: create, confirm, reschedule, cancel.

Every change that books time runs in one transaction that locks the people involved
(`scheduling.locks`), re-checks the slot with the same availability code the slot list
uses, writes the event, the booking and the outbox rows, and lets the request boundary commit.
"""
