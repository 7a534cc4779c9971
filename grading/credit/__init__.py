"""Academic credit for a placement: verified hours, reflections, and the approval chain."""
