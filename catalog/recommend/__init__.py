"""Recommendations: rank projects by skill overlap and say why in words."""
