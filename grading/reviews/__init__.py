"""Employer reviews, their deadlines and reminders, instructor moderation and grade release."""
