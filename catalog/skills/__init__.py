"""The skill taxonomy and how free-typed skills are normalised against it."""
