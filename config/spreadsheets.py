"""Cells for CSV files that people open in spreadsheets."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text a spreadsheet shows as text: one that starts with = + - @ (or a tab or carriage
    return) would run as a formula (CSV injection), so it gets a leading apostrophe."""
    return "'" + value if value[:1] in FORMULA_STARTS else value
