"""Writes: each service owns its transaction and records its events."""
