"""Secrets that stand for the operator, one grant or one page, stored as SHA-256 digests."""
