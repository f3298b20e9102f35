"""The notice pages: public, and the staff pages that publish versions."""
