"""Projects, their revisions, rubrics, guardrails and lifecycle."""
