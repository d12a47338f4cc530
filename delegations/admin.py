"""Admin for organisations, grants and liaison appointments: one module per capability."""

from delegations import admin_orgs  # noqa: F401
from delegations import admin_liaison  # noqa: F401  (liaison appointments)
