"""The talent pool's writes: its audit rows (audit) and invitations to apply (invitations)."""
