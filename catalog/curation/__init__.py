"""Curation: each institution decides which projects its catalog offers."""
