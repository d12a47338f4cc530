"""The Django admin: every page renders, searches find cases, history is shown, audit logs stay read-only."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import (
    Application,
    ApplicationLink,
    Client,
    LinkAttempt,
    LinkLock,
    Program,
    ProgramStage,
    Stage,
)
from core.audit import audit_record
from core.models import AuditAction, Holiday, IdempotencyRecord
from notifications.models import Notification, NotificationPreference
from portal.models import User
from processing_times.models import ProcessingTimeSnapshot, StageDurationSnapshot
from status_tracker.admin.history import NewestEventsFormSet
from status_tracker.models import (
    ApiClient,
    RefusalGround,
    StageProgress,
    StatusEvent,
)
from tests.factories import (
    ApplicationFactory,
    ClientFactory,
    UserFactory,
    link,
    record_decision,
    sign_in_with_second_step,
    status_event_record,
)

REGISTERED_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def record_history(application, count: int) -> None:
    stages = list(application.program.stages.order_by("program_stages__position"))
    start = timezone.now() - datetime.timedelta(days=count + 1)
    for index in range(count):
        status_event_record(
            application=application,
            stage=stages[index % len(stages)],
            state="in_progress" if index % 2 == 0 else "completed",
            occurred_at=start + datetime.timedelta(days=index),
            source_id=f"{application.number}-event-{index}",
        )


@pytest.fixture
def one_of_everything(applicant, applicant_application):
    """At least one row behind every registered admin, so change pages have something to show."""
    record_history(applicant_application, 3)
    LinkAttempt.objects.create(
        account=applicant,
        application_number=applicant_application.number,
        application=applicant_application,
        result=LinkAttempt.Result.LINKED,
        ip_address="203.0.113.5",
    )
    LinkLock.objects.create(
        scope=LinkLock.Scope.APPLICATION,
        key="E999999999",
        locked_until=timezone.now() + datetime.timedelta(hours=24),
    )
    Group.objects.create(name="Client Support Centre")
    Authenticator.objects.create(user=applicant, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "0" * 40})
    today = timezone.localdate()
    ProcessingTimeSnapshot.objects.create(
        program=applicant_application.program,
        computed_on=today,
        window_days=183,
        sample_size=40,
        p50_days=100,
        p80_days=150,
        p90_days=170,
        waiting_count=12,
        monthly_output=6.5,
    )
    StageDurationSnapshot.objects.create(
        program=applicant_application.program,
        stage=applicant_application.program.stages.first(),
        computed_on=today,
        window_days=183,
        sample_size=35,
        p50_days=20,
        p80_days=31,
    )
    # Issue 3: the upstream API, decisions and the notification outbox.
    api_client = ApiClient.objects.create(name="Case processing system", token_prefix="csp_abcd", token_hash="0" * 64)
    IdempotencyRecord.objects.create(
        client_id=api_client.pk, key="batch-1", request_hash="1" * 64, status_code=200, response_body={"results": []}
    )
    ground, _created = RefusalGround.objects.get_or_create(
        code="test-ground",
        defaults={
            "title_en": "A ground",
            "title_fr": "Un motif",
            "explanation_en": "Why.",
            "explanation_fr": "Pourquoi.",
        },
    )
    decided = ApplicationFactory(submitted_on=today - datetime.timedelta(days=90))
    record_decision(application=decided, outcome="refused", grounds=[ground.code], notes="Notes [REDACTED].")
    Holiday.objects.get_or_create(
        date=datetime.date(2030, 7, 1), defaults={"name_en": "Canada Day", "name_fr": "Fête du Canada"}
    )
    # Submitted long ago and never heard of since: a stalled file.
    ApplicationFactory(submitted_on=today - datetime.timedelta(days=400))
    Notification.objects.create(
        recipient=applicant,
        application=applicant_application,
        kind="status_change",
        channel="email",
        state="failed",
        address=applicant.email,
        last_error="400 Bad Request",
    )
    NotificationPreference.objects.create(user=applicant, daily_digest=True)
    audit_record(
        action=AuditAction.CASE_READ,
        subject_type="application",
        subject_id=applicant_application.pk,
        case_number=applicant_application.number,
        basis="staff",
    )
    enquiries_one_of_everything(applicant=applicant, application=applicant_application)
    delegations_one_of_everything()
    liaison_one_of_everything(application=applicant_application)
    consent_one_of_everything(application=applicant_application)
    return applicant_application


def delegations_one_of_everything() -> None:
    """Issue 11: an MP's office with a manager and an open invitation."""
    from tests.delegations.factories import InvitationFactory, ManagerFactory

    manager = ManagerFactory()
    InvitationFactory(organisation=manager.organisation, invited_by=manager.account)


def liaison_one_of_everything(*, application) -> None:
    """Issue 11: a liaison officer's availability and an appointment booked in it."""
    from delegations.liaison_models import Appointment
    from tests.delegations.liaison_support import liaison_officer, office_with_case, publish, tomorrow_at

    officer = liaison_officer(email="liaison.admin@example.com")
    publish(officer, start=tomorrow_at(9))
    caseworker, member, _other, _grant = office_with_case()
    Appointment.objects.create(
        officer=officer,
        organisation=member.organisation,
        booked_by=caseworker,
        application=application,
        topic=Appointment.Topic.STATUS,
        starts_at=tomorrow_at(10),
        ends_at=tomorrow_at(10, 30),
        length_minutes=30,
    )


def consent_one_of_everything(*, application) -> None:
    """Issue 11: a grant to an MP's office, and the signed paper form it was recorded from."""
    from delegations.consent_models import ConsentEvidence
    from tests.delegations.factories import GrantFactory

    grant = GrantFactory(application=application)
    evidence = ConsentEvidence.objects.create(
        file="consent/test",
        original_name="form.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        signed_on=timezone.localdate(),
    )
    evidence.grants.add(grant)


def enquiries_one_of_everything(*, applicant, application) -> None:
    """Issue 10: a crisis channel, a ticket with a document, a deflection, a survey answer, service figures."""
    from enquiries.models import CrisisChannel, Deflection, Document, ServiceSnapshot, SurveyResponse, Topic
    from tests.enquiries.factories import make_ticket

    CrisisChannel.objects.create(
        name_en="Wildfires",
        name_fr="Feux de forêt",
        keyword_en="wildfire",
        keyword_fr="feux",
        banner_en="Affected by the wildfires?",
        banner_fr="Touché par les feux?",
        opens_at=timezone.now(),
    )
    ticket = make_ticket(account=applicant, application=application)
    Document.objects.create(
        ticket=ticket, original_name="letter.pdf", content_type="application/pdf", size=10, sha256="0" * 64
    )
    topic = Topic.objects.get(code="status")
    Deflection.objects.create(topic=topic, application=application, account=applicant)
    SurveyResponse.objects.create(ticket=ticket, rating=SurveyResponse.Rating.SATISFIED)
    ServiceSnapshot.objects.create(
        computed_on=timezone.localdate(),
        month=timezone.localdate().replace(day=1),
        topic=topic,
        received=1,
        answered=1,
        answered_within_standard=1,
        deflected=0,
        survey_responses=1,
        satisfied=1,
    )


@pytest.fixture
def admin_client(client, admin_user):
    sign_in_with_second_step(client, admin_user)
    return client


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_changelist_renders_for_an_administrator(admin_client, one_of_everything, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_change_page_renders_for_an_administrator(admin_client, admin_user, rf, one_of_everything, model):
    request = rf.get("/")
    request.user = admin_user
    # The admin's own queryset: a list such as stalled files shows only some rows.
    instance = admin.site._registry[model].get_queryset(request).first()
    assert instance is not None, "the fixture should create a row for every registered model"
    assert admin_client.get(admin_url(model, "change", instance.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_add_page_renders_unless_the_model_is_written_elsewhere(admin_client, admin_user, rf, model):
    request = rf.get("/")
    request.user = admin_user
    may_add = admin.site._registry[model].has_add_permission(request)
    assert admin_client.get(admin_url(model, "add")).status_code == (200 if may_add else 403)


def test_only_the_expected_models_are_closed_to_adding(admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    closed = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if not model_admin.has_add_permission(request)
    }
    assert closed == {
        "core.auditevent",
        "applications.applicationlink",
        # Issue 11: consent forms are kept by the paper-consent service (the grant's add page).
        "delegations.consentevidence",
        # Issue 10: tickets come from the enquiry form; documents, answers and figures from their services.
        "enquiries.ticket",
        "enquiries.document",
        "enquiries.deflection",
        "enquiries.surveyresponse",
        "enquiries.servicesnapshot",
        # Issue 11: liaison appointments are booked, moved and cancelled through their service.
        "delegations.appointment",
        "applications.linkattempt",
        # Issue 11: members join by invitation or on their organisation's page.
        "applications.organisationmember",
        "applications.linklock",
        "notifications.notification",
        "processing_times.processingtimesnapshot",
        "processing_times.stagedurationsnapshot",
        "status_tracker.decision",
        "status_tracker.stalledapplication",
        "status_tracker.stageprogress",
        "status_tracker.statusevent",
    }


def test_the_admin_sign_in_page_hands_over_to_allauth(client):
    response = client.get("/en/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_it_sends_anonymous_visitors_of_the_admin_to_sign_in(client):
    response = client.get("/en/admin/", follow=True)
    final_url, _status = response.redirect_chain[-1]
    assert final_url == "/en/accounts/login/?next=%2Fen%2Fadmin%2F"
    assert response.status_code == 200


def test_the_admin_also_works_in_french(admin_client, one_of_everything):
    from django.utils import translation

    with translation.override("fr"):
        url = admin_url(Application, "change", one_of_everything.pk)
    assert url.startswith("/fr/admin/")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text


def test_it_turns_ordinary_applicants_away_from_the_admin(client, applicant):
    client.force_login(applicant)
    response = client.get("/en/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")
    assert client.get(response["Location"]).status_code == 403


def test_it_turns_applicants_away_from_admin_pages_too(client, applicant, applicant_application):
    client.force_login(applicant)
    response = client.get(admin_url(Application, "change", applicant_application.pk))
    assert response.status_code == 302
    assert not response["Location"].startswith(admin_url(Application, "change", applicant_application.pk))


def test_staff_with_only_the_view_permission_can_read_but_not_edit_applications(client, staff_user):
    application = ApplicationFactory()
    sign_in_with_second_step(client, staff_user)
    assert client.get(admin_url(Application, "changelist")).status_code == 200
    response = client.get(admin_url(Application, "change", application.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.get(admin_url(Client, "changelist")).status_code == 403


@pytest.fixture
def three_applications(db):
    wanted = ApplicationFactory(
        number="E123456789",
        client=ClientFactory(uci="87654321", family_name="Gagnon", given_names="Élodie"),
    )
    others = [
        ApplicationFactory(client=ClientFactory(uci="11112222", family_name="Nguyen")),
        ApplicationFactory(client=ClientFactory(uci="33334444", family_name="Smith")),
    ]
    return wanted, others


def search_applications(client, term: str) -> list[str]:
    response = client.get(admin_url(Application, "changelist"), {"q": term})
    assert response.status_code == 200
    return [application.number for application in response.context["cl"].result_list]


def test_it_finds_applications_by_number(admin_client, three_applications):
    assert search_applications(admin_client, "E123456789") == ["E123456789"]


def test_it_finds_applications_by_uci(admin_client, three_applications):
    assert search_applications(admin_client, "87654321") == ["E123456789"]


def test_it_finds_applications_by_family_name(admin_client, three_applications):
    assert search_applications(admin_client, "gagnon") == ["E123456789"]


def test_it_finds_applications_by_given_names(admin_client, three_applications):
    assert search_applications(admin_client, "Élodie") == ["E123456789"]


def test_it_finds_clients_by_uci_name_and_email(admin_client, three_applications):
    for term in ["87654321", "Gagnon", "Élodie", "gagnon@example.com"]:
        response = admin_client.get(admin_url(Client, "changelist"), {"q": term})
        assert [client.uci for client in response.context["cl"].result_list] == ["87654321"], term


def test_the_application_change_page_shows_its_status_events_newest_first(admin_client, applicant_application):
    record_history(applicant_application, 3)
    other = ApplicationFactory()
    record_history(other, 1)

    response = admin_client.get(admin_url(Application, "change", applicant_application.pk))
    assert response.status_code == 200
    page = response.text
    assert "Status events, newest first" in page
    positions = [page.index(f"{applicant_application.number}-event-{index}") for index in (2, 1, 0)]
    assert positions == sorted(positions)
    assert f"{other.number}-event-0" not in page
    assert "See all 3 status events" in page


def test_the_application_change_page_shows_stage_progress_and_linked_accounts(
    admin_client, applicant, applicant_application
):
    record_history(applicant_application, 2)
    response = admin_client.get(admin_url(Application, "change", applicant_application.pk))
    formsets = {formset.opts.model: formset.formset for formset in response.context["inline_admin_formsets"]}
    progress = formsets[applicant_application.stage_progress.model]
    assert len(progress.forms) == 2
    assert [form.instance.account for form in formsets[ApplicationLink].forms] == [applicant]


def test_a_long_history_shows_only_the_newest_events_inline(admin_client, applicant_application, monkeypatch):
    monkeypatch.setattr(NewestEventsFormSet, "max_shown", 3)
    record_history(applicant_application, 5)
    response = admin_client.get(admin_url(Application, "change", applicant_application.pk))
    page = response.text
    for index in (4, 3, 2):
        assert f"{applicant_application.number}-event-{index}" in page
    for index in (1, 0):
        assert f"{applicant_application.number}-event-{index}" not in page
    assert "See all 5 status events" in page


def test_the_full_history_link_lists_only_that_applications_events(admin_client, applicant_application):
    record_history(applicant_application, 2)
    record_history(ApplicationFactory(), 1)
    response = admin_client.get(
        admin_url(StatusEvent, "changelist"), {"application__id__exact": applicant_application.pk}
    )
    assert response.status_code == 200
    assert {event.application_id for event in response.context["cl"].result_list} == {applicant_application.pk}
    assert response.context["cl"].result_count == 2


def queries_to_render(client, url: str) -> int:
    """Queries for one page, counted on a second request so process-wide caches (content types) are warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_application_changelist_costs_the_same_queries_for_2_or_20_rows(admin_client):
    url = admin_url(Application, "changelist")
    for _index in range(2):
        record_history(ApplicationFactory(), 2)
    with_two = queries_to_render(admin_client, url)
    for _index in range(18):
        record_history(ApplicationFactory(), 2)
    assert Application.objects.count() == 20
    assert queries_to_render(admin_client, url) == with_two


@pytest.mark.parametrize(
    "model",
    [Client, ApplicationLink, LinkAttempt, LinkLock, StatusEvent, StageProgress, User],
    ids=lambda model: model._meta.label_lower,
)
def test_other_changelists_cost_the_same_queries_for_2_or_20_rows(admin_client, model):
    def add_rows(count: int) -> None:
        for _index in range(count):
            account = UserFactory()
            application = ApplicationFactory()
            link(user=account, application=application)
            record_history(application, 1)
            LinkAttempt.objects.create(
                account=account,
                application_number=application.number,
                application=application,
                result=LinkAttempt.Result.LINKED,
            )
            LinkLock.objects.create(
                scope=LinkLock.Scope.ACCOUNT,
                key=str(account.pk),
                locked_until=timezone.now() + datetime.timedelta(hours=1),
            )

    url = admin_url(model, "changelist")
    add_rows(2)
    with_two = queries_to_render(admin_client, url)
    add_rows(18)
    assert queries_to_render(admin_client, url) == with_two


def test_the_program_change_page_costs_the_same_queries_for_few_or_many_stages(admin_client):
    stages = list(Stage.objects.order_by("code"))
    assert len(stages) >= 6

    def program_with(stage_count: int) -> Program:
        program = Program.objects.create(
            code=f"test-{stage_count}",
            name_en=f"Test {stage_count}",
            name_fr=f"Essai {stage_count}",
            description_en="For a test.",
            description_fr="Pour un essai.",
            category=Program.Category.TEMPORARY,
            service_standard_days=30,
        )
        for position, stage in enumerate(stages[:stage_count], start=1):
            ProgramStage.objects.create(program=program, stage=stage, position=position)
        return admin_url(Program, "change", program.pk)

    few, many = program_with(2), program_with(6)
    assert queries_to_render(admin_client, many) == queries_to_render(admin_client, few)


def test_the_application_change_page_costs_the_same_queries_for_a_short_or_long_history(admin_client):
    short, long = ApplicationFactory(), ApplicationFactory()
    record_history(short, 2)
    record_history(long, 30)
    assert queries_to_render(admin_client, admin_url(Application, "change", long.pk)) == queries_to_render(
        admin_client, admin_url(Application, "change", short.pk)
    )


def form_values(form) -> dict:
    """A form's current values, encoded the way a browser posts them."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[form.add_prefix(name)] = "on"
        else:
            data[form.add_prefix(name)] = "" if value is None else value
    return data


def posted_back(response, **changes) -> dict:
    """An admin change page's form and inlines as the browser would post them back, with `changes`."""
    data = form_values(response.context["adminform"].form)
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        formset = inline_admin_formset.formset
        data.update(form_values(formset.management_form))
        for form in formset.forms:
            data.update(form_values(form))
    data.update(changes)
    return data


# Recording a decision by hand is a correction submitted as an event: tests/status_tracker/test_case_corrections.py.


def test_saving_an_application_leaves_the_stage_set_by_the_history_alone(admin_client, applicant_application):
    url = admin_url(Application, "change", applicant_application.pk)
    data = posted_back(admin_client.get(url), processing_office="Vancouver")
    # An event arrives while the administrator has the form open.
    record_history(applicant_application, 1)
    assert admin_client.post(url, data).status_code == 302
    applicant_application.refresh_from_db()
    assert applicant_application.processing_office == "Vancouver"
    assert applicant_application.current_stage is not None
    assert applicant_application.last_updated_at is not None


def test_an_administrator_can_add_a_stage_to_a_program(admin_client):
    program = Program.objects.get(code="spouse-sponsorship")
    stages_before = list(program.program_stages.order_by("position").values_list("stage__code", flat=True))
    extra = Stage.objects.create(
        code="extra-check",
        name_en="Extra check",
        name_fr="Vérification supplémentaire",
        explanation_en="A further check.",
        explanation_fr="Une vérification de plus.",
    )
    url = admin_url(Program, "change", program.pk)
    response = admin_client.get(url)
    formset = response.context["inline_admin_formsets"][0].formset
    new_row = formset.add_prefix(formset.total_form_count())
    data = posted_back(
        response,
        **{
            f"{formset.prefix}-TOTAL_FORMS": formset.total_form_count() + 1,
            f"{new_row}-position": 99,
            f"{new_row}-stage": extra.pk,
        },
    )

    assert admin_client.post(url, data).status_code == 302
    stages_after = list(program.program_stages.order_by("position").values_list("stage__code", flat=True))
    assert stages_after == [*stages_before, "extra-check"]


def test_the_program_page_lists_its_stages_in_order(admin_client):
    program = Program.objects.get(code="spouse-sponsorship")
    response = admin_client.get(admin_url(Program, "change", program.pk))
    formset = response.context["inline_admin_formsets"][0].formset
    positions = [form.instance.position for form in formset.forms]
    assert positions == sorted(positions)
    assert len(positions) == program.program_stages.count()


def test_link_attempts_are_an_audit_log_that_cannot_be_edited_or_deleted(admin_client, applicant):
    attempt = LinkAttempt.objects.create(
        account=applicant, application_number="E100000001", result=LinkAttempt.Result.MISMATCH
    )
    change_page = admin_client.get(admin_url(LinkAttempt, "change", attempt.pk))
    assert change_page.status_code == 200
    assert change_page.context["has_change_permission"] is False
    assert admin_client.post(admin_url(LinkAttempt, "change", attempt.pk), {"result": "linked"}).status_code == 403
    assert admin_client.post(admin_url(LinkAttempt, "delete", attempt.pk), {"post": "yes"}).status_code == 403
    attempt.refresh_from_db()
    assert attempt.result == LinkAttempt.Result.MISMATCH


def test_status_events_cannot_be_edited_in_the_admin(admin_client, applicant_application):
    record_history(applicant_application, 1)
    event = applicant_application.events.get()
    assert admin_client.post(admin_url(StatusEvent, "change", event.pk), {"state": "completed"}).status_code == 403
    assert admin_client.post(admin_url(StatusEvent, "delete", event.pk), {"post": "yes"}).status_code == 403


def test_deleting_a_lock_lifts_it_early(admin_client):
    lock = LinkLock.objects.create(
        scope=LinkLock.Scope.APPLICATION, key="E100000001", locked_until=timezone.now() + datetime.timedelta(hours=24)
    )
    response = admin_client.post(admin_url(LinkLock, "delete", lock.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not LinkLock.objects.filter(pk=lock.pk).exists()


def test_the_lock_list_can_show_only_the_locks_in_force(admin_client):
    now = timezone.now()
    LinkLock.objects.create(scope=LinkLock.Scope.ACCOUNT, key="1", locked_until=now + datetime.timedelta(hours=2))
    LinkLock.objects.create(scope=LinkLock.Scope.ACCOUNT, key="2", locked_until=now - datetime.timedelta(hours=2))
    response = admin_client.get(admin_url(LinkLock, "changelist"), {"state": "active"})
    assert [lock.key for lock in response.context["cl"].result_list] == ["1"]


def test_removing_a_link_in_the_admin_is_audited_and_frees_the_client(admin_client, applicant, applicant_application):
    link_row = ApplicationLink.objects.get(account=applicant, application=applicant_application)
    response = admin_client.post(admin_url(ApplicationLink, "delete", link_row.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not ApplicationLink.objects.filter(pk=link_row.pk).exists()
    assert LinkAttempt.objects.filter(
        account=applicant, application=applicant_application, result=LinkAttempt.Result.UNLINKED
    ).exists()
    applicant_application.client.refresh_from_db()
    assert applicant_application.client.account is None


def test_removing_links_in_bulk_is_audited_too(admin_client, applicant, applicant_application):
    second = ApplicationFactory(client=applicant_application.client)
    link(user=applicant, application=second)
    response = admin_client.post(
        admin_url(ApplicationLink, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(ApplicationLink.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not ApplicationLink.objects.exists()
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.UNLINKED).count() == 2


def test_an_administrator_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "new.agent@example.com",
            "preferred_language": "fr",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.agent@example.com")
    assert user.preferred_language == "fr"
    assert user.check_password("a long enough passphrase")


def test_it_refuses_a_user_whose_email_differs_only_in_case(admin_client, applicant):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "Applicant@Example.com",
            "preferred_language": "en",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="applicant@example.com").count() == 1


def test_an_administrator_changes_a_users_preferred_language(admin_client, applicant):
    url = admin_url(User, "change", applicant.pk)
    response = admin_client.post(url, posted_back(admin_client.get(url), preferred_language="fr"))
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.preferred_language == "fr"


def test_it_finds_users_by_email(admin_client, applicant, other_applicant):
    response = admin_client.get(admin_url(User, "changelist"), {"q": "other@"})
    assert [user.email for user in response.context["cl"].result_list] == ["other@example.com"]
