"""Rights: the candidate's portal, data-subject requests and data exports."""
