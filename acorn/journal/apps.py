from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.journal"
    label = "journal"
    default_auto_field = "django.db.models.BigAutoField"
