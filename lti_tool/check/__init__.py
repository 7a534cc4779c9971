"""``microbridge check``: what an operator runs after configuring, one line per finding."""
