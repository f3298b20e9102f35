"""The staff workspace: recruiters, hiring managers, interviewers, privacy officers, admins."""
