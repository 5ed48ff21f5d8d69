"""The JSON faces: Nylas v3 and v2 routes, their request parsing and the error envelope."""
