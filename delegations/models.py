"""The delegations app's models, declared in one module per capability."""

from delegations.consent_models import ConsentEvidence  # noqa: F401
from delegations.liaison_models import Appointment, Availability  # noqa: F401
from delegations.org_models import MemberInvitation  # noqa: F401
