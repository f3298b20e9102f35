"""The candidate's portal and the privacy officer's request and export pages."""
