"""Helpers for the organisation and grantee tests: an MP's office with its people, and URLs."""

from django.urls import reverse
from django.utils import translation

from tests.delegations.factories import ManagerFactory, MemberFactory, OrganisationFactory


def office_with_people(**organisation_fields):
    """A verified MP's office (unless told otherwise) with one manager and one caseworker."""
    organisation = OrganisationFactory(**organisation_fields)
    manager = ManagerFactory(organisation=organisation)
    caseworker = MemberFactory(organisation=organisation)
    return organisation, manager, caseworker


def detail_url(application, language: str = "en") -> str:
    with translation.override(language):
        return reverse("applications:detail", kwargs={"number": application.number})


def decision_url(application, language: str = "en") -> str:
    with translation.override(language):
        return reverse("applications:decision", kwargs={"number": application.number})
