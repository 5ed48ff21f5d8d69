"""Slotwise: a self-hosted scheduling server that speaks the Nylas v3 wire format."""

__version__ = "0.1.0"
