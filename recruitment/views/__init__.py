"""Thin views: a form validates, one service or selector acts, the view renders."""
