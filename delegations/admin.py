"""Admin for organisations, grants and liaison appointments: one module per capability."""

from delegations import (
    admin_consent,  # noqa: F401
    admin_liaison,  # noqa: F401  (liaison appointments)
    admin_orgs,  # noqa: F401
)
