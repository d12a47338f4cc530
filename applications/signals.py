"""Signals the access policy sends, for apps above it to act on (it cannot import them)."""

from django.dispatch import Signal

# Sent once per grant, the first time its grantee opens a file under it: grant, application, viewer.
grant_first_used = Signal()
