"""The header's menu and the footer are rendered once per process and shared (portal/templatetags/fragments.py).

Shared by everyone with the same language, roles and unread count: each of those must
still show at once, and one person's menu never shows another's links.
"""

from django.urls import reverse

from notifications.models import Channel
from tests.delegations.factories import MemberFactory, OrganisationFactory
from tests.factories import sign_in, sign_in_with_second_step
from tests.notifications_support import make_notification

BADGE = '<span class="nav-badge"><span class="visually-hidden">unread: </span>{}</span>'


def test_a_new_notification_shows_in_the_badge_at_once(client, applicant, applicant_application):
    sign_in(client, applicant)
    url = reverse("applications:list")
    assert "nav-badge" not in client.get(url).text
    assert "nav-badge" not in client.get(url).text  # the shared copy
    make_notification(recipient=applicant, application=applicant_application, channel=Channel.IN_APP)
    assert BADGE.format(1) in client.get(url).text
    make_notification(recipient=applicant, application=applicant_application, channel=Channel.IN_APP)
    assert BADGE.format(2) in client.get(url).text


def test_each_person_gets_the_menu_of_their_own_roles_and_language(client, applicant, applicant_application):
    member = MemberFactory(organisation=OrganisationFactory()).account
    organisation_link = reverse("delegate:organisation_choose")
    sign_in_with_second_step(client, member)
    assert organisation_link in client.get(reverse("applications:list")).text
    client.logout()

    sign_in(client, applicant)
    page = client.get(reverse("applications:list")).text
    assert organisation_link not in page
    assert ">My applications<" in page
    client.logout()
    assert ">Sign in<" in client.get(reverse("home")).text
    sign_in(client, applicant)
    from django.utils import translation

    with translation.override("fr"):
        french = client.get(reverse("applications:list")).text
    assert ">Mes demandes<" in french
    assert ">My applications<" not in french
