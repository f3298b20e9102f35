"""The pipeline's staff pages."""
