"""Workspace: the staff home and the staff URL map."""
