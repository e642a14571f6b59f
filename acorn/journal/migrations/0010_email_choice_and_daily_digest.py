from django.db import migrations, models


def keep_opt_outs(apps, schema_editor):
    """A parent who had turned emails off keeps them off."""
    preference = apps.get_model("journal", "NotificationPreference")
    preference.objects.filter(email_on_publish=False).update(email="none")


def restore_opt_outs(apps, schema_editor):
    preference = apps.get_model("journal", "NotificationPreference")
    preference.objects.filter(email="none").update(email_on_publish=False)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0009_capture_draft_keeps_eyfs_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="digest_sent_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="email",
            field=models.CharField(
                choices=[
                    ("each", "An email each time"),
                    ("daily", "One email a day at most"),
                    ("none", "No emails"),
                ],
                default="each",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="staff_daily_email",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(keep_opt_outs, restore_opt_outs),
        migrations.RemoveField(
            model_name="notificationpreference",
            name="email_on_publish",
        ),
    ]
