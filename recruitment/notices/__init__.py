"""Notices: the privacy notice and consent texts, their published versions and pages."""
