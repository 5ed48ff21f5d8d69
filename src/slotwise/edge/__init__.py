"""What the HTTP faces (api, web) share: request state, the API-key check, public rate limits."""
