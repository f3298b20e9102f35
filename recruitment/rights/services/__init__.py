"""The rights' writes."""
