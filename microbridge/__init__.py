"""Microbridge: employer micro-internship projects in Canvas and Moodle, graded through AGS."""

__version__ = "0.1.0"
