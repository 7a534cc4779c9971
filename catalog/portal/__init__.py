"""The sign-in and safety machinery the employer and curator portals share."""
