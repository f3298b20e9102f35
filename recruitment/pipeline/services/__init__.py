"""The pipeline's writes."""
