from django.apps import AppConfig


class EyfsConfig(AppConfig):
    name = "acorn.eyfs"
    label = "eyfs"
    verbose_name = "EYFS and assessment"
    default_auto_field = "django.db.models.BigAutoField"
