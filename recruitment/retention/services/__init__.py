"""Retention's writes."""
