"""Admin of the status tracker: the history (read-only), decisions, service tokens, CSV import, corrections.

Importing the package registers every module's admin classes.
"""

from status_tracker.admin import api_clients, corrections, csv_import, decisions, history  # noqa: F401
