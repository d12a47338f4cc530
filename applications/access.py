"""The single gate through which every page and endpoint reaches an application.

Anything the viewer may not see is a 404, so the existence of another
person's file never leaks.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from applications.models import Application


def normalize_application_number(number: str) -> str:
    return "".join(number.split()).upper()


def application_for_viewer(*, viewer, number: str) -> Application:
    """Return the application numbered `number` if `viewer` may see it, else raise Http404.

    Owners see the applications linked to their account; staff need the
    explicit view permission. Nobody else sees anything.
    """
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        raise Http404
    queryset = Application.objects.select_related("program", "client", "current_stage")
    if not (viewer.is_staff and viewer.has_perm("applications.view_application")):
        queryset = queryset.filter(links__account=viewer)
    try:
        return queryset.get(number=normalize_application_number(number))
    except Application.DoesNotExist:
        raise Http404 from None


def application_for_api_client(*, api_client, number: str) -> Application:
    """Return the application numbered `number` for an upstream system, else raise Http404.

    The department's own case-processing system may read any file, but only a live
    service token gets this far; the decision and its grounds come along, for the
    reconciliation answer.
    """
    if api_client is None or not api_client.is_active:
        raise Http404
    application = (
        Application.objects.select_related("program", "client", "current_stage", "decision")
        .prefetch_related(Prefetch("decision__grounds"))
        .filter(number=normalize_application_number(number))
        .first()
    )
    if application is None:
        raise Http404(_("There is no application with this number."))
    return application
