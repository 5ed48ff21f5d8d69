"""The calendar availability API faces: v3 `POST /v3/calendars/availability`, v2
`/calendars/availability` and `/calendars/availability/consecutive` (not the scheduler's offer,
which is `scheduling.offer`, nor the engine, which is `slotwise.availability`).

Each face parses its own request shape (`schemas`, `request_fields`, `open_hours`) into the
engine's inputs, reads busy time from the database in one pass (`sources`), and converts the
engine's answer back.
"""
