"""Outbound email through a transactional outbox. Knows nothing of recruitment."""
