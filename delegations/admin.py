"""Admin for organisations, grants and liaison appointments: one module per capability."""

from delegations import admin_consent  # noqa: F401
