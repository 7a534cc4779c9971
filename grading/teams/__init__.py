"""Teams of learners in a placement: forming, joining, leaving, moving."""
