"""Routes of the Nylas v3 wire format: grants, calendars, events, scheduler and webhooks."""
