"""Student work inside the LMS: the project page, consent, teams, milestones, hours and
submissions with their files."""
