"""The delegations app's models, declared in one module per capability."""

from delegations.org_models import MemberInvitation  # noqa: F401
from delegations.liaison_models import Appointment, Availability  # noqa: F401
