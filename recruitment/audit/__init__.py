"""Audit: the record of every access to personal data, and its log page."""
