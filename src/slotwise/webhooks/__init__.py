"""Webhook destinations and the signed delivery of notifications to them."""
