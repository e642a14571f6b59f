"""Every obscured face belongs to one shared rendition (a separate step, so PostgreSQL
alters the table after 0008's data has been moved, in another transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0011_shared_renditions_per_family"),
    ]

    operations = [
        migrations.AlterField(
            model_name="obscuredface",
            name="rendition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="obscured",
                to="journal.sharedrendition",
            ),
        ),
        migrations.AddConstraint(
            model_name="obscuredface",
            constraint=models.UniqueConstraint(
                fields=("rendition", "child"), name="one_obscured_face_per_child_and_copy"
            ),
        ),
    ]
