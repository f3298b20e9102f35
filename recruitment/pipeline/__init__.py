"""Pipeline: postings, their teams, the board, applications, notes and decisions."""
