"""Taking part in a placement and FERPA consent: what an employer may see, and the disclosure log."""
