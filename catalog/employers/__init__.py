"""Employer organisations and their members (people outside the LMS)."""
