"""Forget an account's cached delegate roles whenever a membership or a grant naming it changes.

The services forget them too; these receivers also cover the admin and data loads.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from applications.models import Grant, OrganisationMember
from delegations.selectors import delegate_roles_forget


@receiver([post_save, post_delete], sender=OrganisationMember, dispatch_uid="delegations_member_roles")
def _member_changed(sender, instance: OrganisationMember, **kwargs) -> None:
    delegate_roles_forget(account_id=instance.account_id)


@receiver([post_save, post_delete], sender=Grant, dispatch_uid="delegations_grant_roles")
def _grant_changed(sender, instance: Grant, **kwargs) -> None:
    delegate_roles_forget(account_id=instance.grantee_account_id)
