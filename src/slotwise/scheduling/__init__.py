"""Scheduling configurations (booking pages), sessions, and the availability they offer.

`service` holds the configuration and session rules, `schemas` the typed request documents
(a configuration is checked by its `New…` models, whose validators are the value rules of
`checks`), `access` decides who reaches a configuration,
`offer` turns a configuration into engine input and the slots it offers, `locks` serialises
bookings per person, and `ui_settings` answers what the scheduling web component asks for.
"""
