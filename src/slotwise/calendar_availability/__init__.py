"""Calendar availability faces (v3 `/v3/calendars/availability`, v2 `/calendars/availability*`).

Each face converts its own request shape into the engine's inputs (`slotwise.availability`),
reads busy time from the database in one pass, and converts the engine's answer back.
"""
