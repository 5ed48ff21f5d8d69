"""Grants (connected accounts): create, connect a provider, update, delete; free/busy by email."""
