"""API v1 views of the status tracker: service-token authentication, events in, applications out, the docs page.

Every error is a problem body (core.api.problems). processing_times.py is here only until it moves to its own app.
"""
