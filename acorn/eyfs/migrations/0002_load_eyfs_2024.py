from django.db import migrations


def load(apps, schema_editor):
    from acorn.eyfs import framework_2024
    from acorn.eyfs.loading import framework_load

    framework_load(apps.get_model, framework_2024)


def unload(apps, schema_editor):
    apps.get_model("eyfs", "Framework").objects.filter(version="2024").delete()


class Migration(migrations.Migration):
    dependencies = [("eyfs", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
