"""Milestones of a placement, learners' check-ins against them, and the hours they log."""
