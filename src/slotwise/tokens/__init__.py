"""Secrets that stand for one grant or one page: issued once, stored as SHA-256 digests."""
