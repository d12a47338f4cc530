"""What an email or text message says, in the recipient's language.

Messages name the application and say in plain words what changed, with a link to
the status page. Someone who follows a client's file under the client's grant (a
representative, a designated person, a parliamentary office) is not told about
"your application": their news is about "the application … that you follow for"
the client's initials, read when the message is worded (`follower_initials`). An email quotes the producer's own wording only when the producer
allowed it, and never for a decision; a text message never quotes it. Refusal
reasons, officer notes and any other decision detail are shown only in the portal,
after sign-in.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationLink
from notifications.models import Channel, Kind, Notification

# News about a file that reads differently for its owner and for someone following it for the client.
FOLLOWED_KINDS = frozenset({Kind.STATUS_CHANGE, Kind.ACTION_REQUIRED, Kind.DECISION, Kind.OVERDUE})

UNSUBSCRIBE_SALT = "notifications.unsubscribe.email"
# Old emails stay in inboxes: their unsubscribe link keeps working for a year.
UNSUBSCRIBE_MAX_AGE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class Message:
    subject: str  # empty for a text message
    body: str


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(*, user_id: int) -> str:
    """A signed, timestamped token that lets its holder switch off one person's emails."""
    return signing.dumps({"user": user_id, "channel": "email"}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(*, token: str) -> int:
    """The user id in a valid token; raises signing.BadSignature (or SignatureExpired) otherwise."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE_SECONDS)
    if not isinstance(data, dict) or data.get("channel") != "email" or not isinstance(data.get("user"), int):
        raise signing.BadSignature("unexpected token content")
    return data["user"]


def unsubscribe_url(*, user_id: int, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id)]))


def client_initials(application: Application) -> str:
    """The client's initials (“M. T.”): enough for someone following several files to tell them apart,
    and little to anyone else who sees the message."""
    return _initials_of(application.client.given_names, application.client.family_name)


def _initials_of(given_names: str, family_name: str) -> str:
    names = [*given_names.split()[:1], *family_name.split()[:1]]
    return " ".join(f"{name[0].upper()}." for name in names if name)


def follower_initials(*, recipient_id: int | None, application_id: int | None) -> str:
    """The client's initials when the recipient follows the file for them (does not own it), else "".

    One query: whether the recipient's account is linked to the file, with the client's names.
    """
    if recipient_id is None or application_id is None:
        return ""
    row = (
        Application.objects.filter(pk=application_id)
        .annotate(owned=Exists(ApplicationLink.objects.filter(application=OuterRef("pk"), account_id=recipient_id)))
        .values_list("owned", "client__given_names", "client__family_name")
        .first()
    )
    if row is None or row[0]:
        return ""
    return _initials_of(row[1] or "", row[2] or "") or "–"


def follower_initials_for_rows(rows) -> dict[int, str]:
    """For a task's rows (their application and client loaded): {row id: client's initials} for each row of a
    followed kind whose recipient follows the file rather than owns it. One query for all the rows, where
    `follower_initials` makes one per row; rows of other kinds, or owned files, are absent."""
    followed = [
        row
        for row in rows
        if row.kind in FOLLOWED_KINDS and row.recipient_id is not None and row.application_id is not None
    ]
    if not followed:
        return {}
    owned = set(
        ApplicationLink.objects.filter(
            application_id__in={row.application_id for row in followed},
            account_id__in={row.recipient_id for row in followed},
        ).values_list("application_id", "account_id")
    )
    return {
        row.pk: _initials_of(row.application.client.given_names or "", row.application.client.family_name or "") or "–"
        for row in followed
        if (row.application_id, row.recipient_id) not in owned
    }


def followed_initials(*, recipient_id: int, application_ids) -> dict[int, str]:
    """For many files at once (a digest, a page of the centre): {application id: client's initials} for
    those the recipient follows rather than owns. One query."""
    ids = {pk for pk in application_ids if pk is not None}
    if not ids:
        return {}
    rows = (
        Application.objects.filter(pk__in=ids)
        .exclude(Exists(ApplicationLink.objects.filter(application=OuterRef("pk"), account_id=recipient_id)))
        .values_list("pk", "client__given_names", "client__family_name")
    )
    return {pk: _initials_of(given or "", family or "") or "–" for pk, given, family in rows}


def _follower_subject(*, kind: str, number: str) -> str:
    subjects: dict[str, str] = {
        Kind.STATUS_CHANGE: _("Update on application %(number)s that you follow"),
        Kind.ACTION_REQUIRED: _("Action needed on application %(number)s that you follow"),
        Kind.DECISION: _("A decision has been made on application %(number)s that you follow"),
        Kind.OVERDUE: _("Application %(number)s that you follow is taking longer than usual"),
    }
    return subjects[kind] % {"number": number}


def _subject(*, kind: str, number: str, label: str = "") -> str:
    subjects: dict[str, str] = {
        Kind.STATUS_CHANGE: _("Update on your application %(number)s"),
        Kind.ACTION_REQUIRED: _("Action needed on your application %(number)s"),
        Kind.DECISION: _("A decision has been made on your application %(number)s"),
        Kind.OVERDUE: _("Your application %(number)s is taking longer than usual"),
        Kind.ENQUIRY_RECEIPT: _("We received your enquiry %(label)s"),
        Kind.ENQUIRY_CONFIRM: _("Confirm your email address to send your enquiry"),
        Kind.ENQUIRY_ANSWERED: _("Your enquiry %(label)s has been answered"),
        Kind.ENQUIRY_ALERT: _("Enquiry %(label)s needs attention"),
        Kind.ACCESS_CHANGED: _("A change in who can see your application file"),
        Kind.DELEGATE_ACCESS: _("News about your access to a client's file"),
        Kind.APPOINTMENT: _("Liaison appointment %(label)s"),
    }
    return subjects[kind] % {"number": number, "label": label}


def item_summary(*, kind: str, client: str = "") -> str:
    """One line on what happened, for digests and the notification centre.

    `client` (their initials) when the reader follows the file for the client.
    """
    if client and kind in FOLLOWED_KINDS:
        follower: dict[str, str] = {
            Kind.STATUS_CHANGE: _("There is an update on the application you follow for %(client)s."),
            Kind.ACTION_REQUIRED: _("We need something from %(client)s to continue with the application you follow."),
            Kind.DECISION: _("A decision has been made on the application you follow for %(client)s."),
            Kind.OVERDUE: _("The application you follow for %(client)s is past the normal processing time."),
        }
        return follower[kind] % {"client": client}
    summaries: dict[str, str] = {
        Kind.STATUS_CHANGE: _("There is an update on your application."),
        Kind.ACTION_REQUIRED: _("We need something from you to continue."),
        Kind.DECISION: _("A decision has been made."),
        Kind.OVERDUE: _("Your application is past the normal processing time."),
        Kind.DIGEST: _("Daily summary of your updates."),
        Kind.ENQUIRY_RECEIPT: _("We received your enquiry."),
        Kind.ENQUIRY_CONFIRM: _("Confirm your email address to send your enquiry."),
        Kind.ENQUIRY_ANSWERED: _("Your enquiry has been answered."),
        Kind.ENQUIRY_ALERT: _("An enquiry is close to or past its service standard."),
        Kind.ACCESS_CHANGED: _("There is a change in who can see your file."),
        Kind.DELEGATE_ACCESS: _("There is news about your access to a client's file."),
        Kind.APPOINTMENT: _("There is news about a liaison appointment."),
    }
    return summaries.get(kind, "")


def email_quote(notification: Notification) -> str:
    """The producer's wording, in the active language, when an email may repeat it.

    Decisions never: even when a producer allows it, their wording can hold the reasons.
    """
    if not notification.message_in_email or notification.kind == Kind.DECISION:
        return ""
    return notification.message


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue  # at most one blank line between paragraphs
        tidy.append(line)
    return "\n".join(tidy)


def _page_url(name: str, language: str, urls: dict[tuple[str, str], str] | None) -> str:
    """The absolute address of a page without arguments, in the active language; kept in `urls` when given."""
    if urls is None:
        return absolute_url(reverse(name))
    key = (name, language)
    if key not in urls:
        urls[key] = absolute_url(reverse(name))
    return urls[key]


def message_render(
    *, notification: Notification, client: str | None = None, urls: dict[tuple[str, str], str] | None = None
) -> Message:
    """The subject (email only) and plain-text body of one notification, in its language.

    A caller rendering many rows passes what it read for all of them at once: `client`, the
    follower's initials of the client ("" when the recipient owns the file; see
    follower_initials_for_rows), and `urls`, a dict that keeps the pages' addresses between rows.
    """
    language = notification.language or "en"
    with translation.override(language):
        context: dict = {
            "preferences_url": _page_url("notifications:preferences", language, urls),
            "centre_url": _page_url("notifications:centre", language, urls),
            "enquiry_url": settings.ENQUIRY_URL,
        }
        if notification.kind.startswith("enquiry_"):
            context["enquiries_url"] = _page_url("enquiries:list", language, urls)
        application = notification.application
        if application is not None:
            if notification.kind not in FOLLOWED_KINDS:
                client = ""
            elif client is None:
                client = follower_initials(recipient_id=notification.recipient_id, application_id=application.pk)
            context.update(
                follower=bool(client),
                client=client,
                number=application.number,
                program=application.program.name,
                status_url=absolute_url(reverse("applications:detail", kwargs={"number": application.number})),
                quoted_message=email_quote(notification) if notification.channel == Channel.EMAIL else "",
            )
        if notification.link_path:
            # News about something other than an application (an enquiry): its page, in the message's language.
            context.update(
                label=notification.about_label,
                link_url=absolute_url(f"/{language}/{notification.link_path.lstrip('/')}"),
                quoted_message=notification.message if notification.message_in_email else "",
            )
        if notification.kind == Kind.DIGEST:
            items = list(notification.items.select_related("application__program").order_by("created_at", "id"))
            followed = (
                followed_initials(
                    recipient_id=notification.recipient_id, application_ids={item.application_id for item in items}
                )
                if notification.recipient_id is not None
                else {}
            )
            context["items"] = [
                {
                    "number": item.application.number if item.application else "",
                    "program": item.application.program.name if item.application else "",
                    "summary": item_summary(
                        kind=item.kind,
                        client=followed.get(item.application_id, "") if item.application_id is not None else "",
                    ),
                }
                for item in items
            ]
            context["follows_any"] = bool(followed)
        if notification.channel == Channel.EMAIL:
            if notification.recipient_id is not None:
                # A person without an account has nothing to unsubscribe from: they only get what they asked for.
                context["unsubscribe_url"] = unsubscribe_url(user_id=notification.recipient_id, language=language)
            if notification.kind == Kind.DIGEST:
                subject = _("Your daily summary of application updates")
            elif context.get("follower"):
                subject = _follower_subject(kind=notification.kind, number=context["number"])
            else:
                subject = _subject(
                    kind=notification.kind, number=context.get("number", ""), label=notification.about_label
                )
        else:
            subject = ""
        body = render_to_string(f"notifications/{notification.channel}/{notification.kind}.txt", context)
    return Message(subject=subject, body=_tidy(body))
