"""The ground floor: settings, database, Celery, key-value store. Imports nothing above it."""
