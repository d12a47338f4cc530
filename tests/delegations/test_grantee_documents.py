"""Documents the client sent about a file: a grantee who may send documents sees and opens them, audited as a grantee."""

import pytest
from django.urls import reverse

from applications.models import Grant
from core.models import AuditAction, AuditEvent
from enquiries.models import Document
from tests.delegations.factories import FirmFactory, GrantFactory, MemberFactory, person_grant
from tests.factories import ApplicationFactory, UserFactory, link, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    owner = UserFactory()
    application = ApplicationFactory()
    link(user=owner, application=application)
    document = Document.objects.create(
        application=application,
        uploaded_by=owner,
        original_name="passport.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    return application, document


def test_a_representative_who_may_act_opens_it_and_the_read_says_grantee(client, sent):
    application, document = sent
    lawyer = MemberFactory(organisation=FirmFactory(), account=UserFactory(email="counsel@firm.example"))
    GrantFactory(
        application=application,
        organisation=lawyer.organisation,
        kind=Grant.Kind.REPRESENTATIVE_PAID,
        may_act=True,
        expires_at=None,
    )
    sign_in(client, lawyer.account)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 410
    read = AuditEvent.objects.get(action=AuditAction.DOCUMENT_READ, actor=lawyer.account)
    assert (read.basis, read.case_number) == ("grantee", application.number)
    assert "passport.pdf" in client.get(reverse("applications:detail", args=[application.number])).text


def test_a_grantee_who_may_only_look_neither_sees_nor_opens_it(client, sent):
    application, document = sent
    sister = UserFactory()
    person_grant(application=application, account=sister)
    sign_in(client, sister)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    page = client.get(reverse("applications:detail", args=[application.number])).text
    assert application.number in page
    assert "passport.pdf" not in page
