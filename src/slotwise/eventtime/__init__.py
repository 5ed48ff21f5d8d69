"""Where an event sits in time: `when` objects and RRULE series, below providers and events."""
