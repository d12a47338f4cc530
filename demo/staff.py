"""The Client Support Centre's demo staff: a demo agent and a supervisor who can sign in, and their team.

The two who sign in have a published password and a time-based one-time password (TOTP) authenticator
set up with a published secret (demo/people.py), made as allauth makes one when a person scans the QR code
(`TOTP.activate`, then recovery codes), so the workspace's two-step requirement is met the real way.
`manage.py demo_totp <email>` prints the current code. The rest of the team has no usable password: they
exist so that the demo's history has several people answering.
"""

import time
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from demo.people import DEMO_TOTP_SECRETS, STAFF, StaffMember
from enquiries.access import AGENT_GROUP, SUPERVISOR_GROUP
from enquiries.models import Topic

STAFF_PERMISSION = ("applications", "view_application")


def _member_ensure(member: StaffMember, *, groups: dict[str, Group], permission: Permission):
    """The account as documented: staff, not superuser, active, named, in its group, password as published."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        email=member.email,
        defaults={
            "first_name": member.given_names,
            "last_name": member.family_name,
            "preferred_language": member.language,
            "is_staff": True,
        },
    )
    changed = created
    if member.password:
        # Hashing is slow on purpose: only when the password may differ.
        if created or not user.check_password(member.password):
            user.set_password(member.password)
            changed = True
    elif user.has_usable_password():
        user.set_unusable_password()
        changed = True
    wanted = (True, False, True, member.given_names, member.family_name)
    if (user.is_staff, user.is_superuser, user.is_active, user.first_name, user.last_name) != wanted:
        user.is_staff, user.is_superuser, user.is_active, user.first_name, user.last_name = wanted
        changed = True
    if changed:
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=member.email, defaults={"verified": True, "primary": True})
    user.groups.add(groups[SUPERVISOR_GROUP if member.supervisor else AGENT_GROUP])
    user.user_permissions.add(permission)
    for topic in Topic.objects.filter(code__in=member.topics):
        topic.agents.add(user)
    secret = DEMO_TOTP_SECRETS.get(member.email)
    if secret:
        authenticator_ensure(user, secret)
    return user


def authenticator_ensure(user, secret: str) -> None:
    """The TOTP authenticator with the published secret, replacing any other; recovery codes as allauth adds them."""
    current = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if current is not None and decrypt(current.data["secret"]) == secret:
        return
    if current is not None:
        current.delete()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def demo_staff_ensure() -> dict[str, Any]:
    """Every demo staff account, by email, created or put back as documented; safe to repeat."""
    groups = {group.name: group for group in Group.objects.filter(name__in=[AGENT_GROUP, SUPERVISOR_GROUP])}
    for name in (AGENT_GROUP, SUPERVISOR_GROUP):
        if name not in groups:
            groups[name] = Group.objects.create(name=name)
    app_label, codename = STAFF_PERMISSION
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    return {member.email: _member_ensure(member, groups=groups, permission=permission) for member in STAFF}


class NotADemoAccount(Exception):
    """Codes are printed only for the published demo accounts, with their published secret."""


def demo_totp_code(*, email: str, at: float | None = None) -> tuple[str, int]:
    """The demo account's current six-digit code and the seconds it stays valid.

    Refuses any account that is not one of the published demo accounts, or whose authenticator is no longer
    the published one.
    """
    secret = DEMO_TOTP_SECRETS.get(email.strip().lower())
    if secret is None:
        raise NotADemoAccount(f"{email} is not a demo account with a published authenticator.")
    authenticator = Authenticator.objects.filter(
        user__email=email.strip().lower(), type=Authenticator.Type.TOTP
    ).first()
    if authenticator is None:
        raise NotADemoAccount(f"{email} has no authenticator yet: run manage.py seed_demo first.")
    if decrypt(authenticator.data["secret"]) != secret:
        raise NotADemoAccount(
            f"{email} has another authenticator now: run manage.py seed_demo to restore the demo one."
        )
    now = time.time() if at is None else at
    period = mfa_settings.TOTP_PERIOD
    counter = int(now) // period
    return format_hotp_value(hotp_value(secret, counter)), period - int(now) % period


def totp_uri(*, user) -> str:
    """The otpauth:// address an authenticator app reads from a QR code, as allauth builds it for the account."""
    return get_mfa_adapter().build_totp_url(user, DEMO_TOTP_SECRETS[user.email])
