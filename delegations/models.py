"""The delegations app's models, declared in one module per capability."""

from delegations.consent_models import ConsentEvidence  # noqa: F401
