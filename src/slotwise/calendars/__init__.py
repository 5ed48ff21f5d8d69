"""Calendars a grant owns (the v3 Calendar object); `service.resolve_calendar` handles "primary"."""
