"""Read models above the concepts: the student's project page and the instructor's views of a placement.

They read submissions, consent, teams, milestones, reviews and passback; no concept imports them.
"""
