"""Finding projects: full-text search, filters, sorting and pagination."""
