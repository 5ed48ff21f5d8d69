"""The application as Nylas models it: its id (the client_id of hosted auth) and redirect URIs."""
