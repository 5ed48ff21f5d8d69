"""Scheduling configurations (booking pages), sessions, and the availability they offer.

`service` holds the configuration and session rules, `access` decides who reaches a
configuration, `availability` turns a configuration into engine input and slots, and
`ui_settings` answers what the scheduling web component asks for.
"""
