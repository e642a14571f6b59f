"""One shared rendition per family view (issue 16): each photo's stored shared copy and
the faces it obscures become its first `SharedRendition` (every face obscured)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def existing_copies(apps, schema_editor):
    MediaItem = apps.get_model("journal", "MediaItem")
    ObscuredFace = apps.get_model("journal", "ObscuredFace")
    SharedRendition = apps.get_model("journal", "SharedRendition")
    media_ids = set(ObscuredFace.objects.values_list("media_id", flat=True))
    for item in MediaItem.objects.filter(pk__in=media_ids):
        files = {
            name: item.renditions[f"shared_{name}"]
            for name in ("display", "thumb")
            if f"shared_{name}" in item.renditions
        }
        if len(files) == 2 and item.kind == "photo":
            copy = SharedRendition.objects.create(media=item, renditions=files)
            ObscuredFace.objects.filter(media=item).update(rendition=copy)
        item.renditions = {
            k: v for k, v in item.renditions.items() if not k.startswith("shared_")
        }
        item.save(update_fields=["renditions"])
    ObscuredFace.objects.filter(rendition__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0004_child_monitoring_details"),
        ("journal", "0010_email_choice_and_daily_digest"),
    ]

    operations = [
        migrations.CreateModel(
            name="SharedRendition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kept", models.JSONField(blank=True, default=list)),
                ("kept_count", models.PositiveSmallIntegerField(default=0)),
                ("renditions", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "media",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shared_renditions",
                        to="journal.mediaitem",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["media", "-kept_count"], name="shared_rendition_media")
                ],
            },
        ),
        migrations.RemoveConstraint(
            model_name="obscuredface",
            name="one_obscured_face_per_child",
        ),
        migrations.AddField(
            model_name="obscuredface",
            name="rendition",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="obscured",
                to="journal.sharedrendition",
            ),
        ),
        migrations.RunPython(existing_copies, migrations.RunPython.noop),
    ]
