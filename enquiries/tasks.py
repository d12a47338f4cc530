"""Celery tasks of the enquiries app: thin wrappers, published by name from the beat schedule."""
