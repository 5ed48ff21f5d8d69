"""Routes of the older v2 wire format: availability, free/busy and Scheduling Pages."""
