from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from acorn.accounts.models import seal

    device_model = apps.get_model("accounts", "TotpDevice")
    for device in device_model.objects.all():
        device.secret_sealed = seal(device.secret)
        device.save(update_fields=["secret_sealed"])


def unseal_existing(apps, schema_editor):
    from acorn.accounts.models import unseal

    device_model = apps.get_model("accounts", "TotpDevice")
    for device in device_model.objects.all():
        device.secret = unseal(device.secret_sealed)
        device.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_token_last_used")]

    operations = [
        migrations.AddField(
            model_name="totpdevice",
            name="secret_sealed",
            field=models.CharField(default="", max_length=255),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, unseal_existing),
        migrations.RemoveField(model_name="totpdevice", name="secret"),
    ]
