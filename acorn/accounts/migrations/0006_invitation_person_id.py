"""Invitations carry the id their person will have, and a staff membership starts only
when the invitation is accepted (issue 8, finding 1).

Existing invitations: an invitation whose person already had an account keeps that
account's id (it was returned to the inviter before); others get their own. Memberships
that an invitation created before it was accepted (the person has not accepted any
staff invitation for that setting, and the membership is no older than the open
invitation) are removed: the person becomes staff when they accept it."""

import uuid
from datetime import timedelta

from django.db import migrations, models


def person_ids(apps, schema_editor):
    Invitation = apps.get_model("accounts", "Invitation")
    User = apps.get_model("accounts", "User")
    ids = dict(User.objects.values_list("email", "pk"))
    for invitation in Invitation.objects.all().iterator():
        invitation.person_id = ids.get(invitation.email) or uuid.uuid4()
        invitation.save(update_fields=["person_id"])


def unaccepted_memberships(apps, schema_editor):
    Invitation = apps.get_model("accounts", "Invitation")
    Membership = apps.get_model("org", "Membership")
    pending = Invitation.objects.filter(accepted_at=None).exclude(role="parent")
    for invitation in pending.iterator():
        accepted_here = Invitation.objects.filter(
            setting_id=invitation.setting_id, email=invitation.email, accepted_at__isnull=False
        ).exclude(role="parent")
        if accepted_here.exists():
            continue
        # Created in the same moment as the invitation (a few seconds' leeway).
        Membership.objects.filter(
            setting_id=invitation.setting_id,
            user__email=invitation.email,
            created_at__gte=invitation.created_at - timedelta(seconds=5),
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_seal_totp_secrets"),
        ("org", "0002_networks_session_times_duty"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="person_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.RunPython(person_ids, migrations.RunPython.noop),
        migrations.RunPython(unaccepted_memberships, migrations.RunPython.noop),
    ]
