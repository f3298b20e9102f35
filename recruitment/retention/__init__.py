"""Retention: when data is due, the purge, legal holds, consents, restrictions, the erasure
ledger and the anonymous statistics."""
