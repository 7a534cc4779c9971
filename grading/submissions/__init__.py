"""Work learners hand in for a placement: attempts, their files and links, and who may see them."""
