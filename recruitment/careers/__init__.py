"""Careers: the public postings and applying to them."""
