"""Hosted-auth tests sign in CalDAV accounts on the providers' Radicale."""

from tests.providers.conftest import account, radicale

__all__ = ["account", "radicale"]
