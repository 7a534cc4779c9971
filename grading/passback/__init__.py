"""Grade passback: the score outbox, its delivery tasks and the instructor's sync view."""
