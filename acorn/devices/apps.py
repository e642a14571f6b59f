from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.devices"
    label = "devices"
    default_auto_field = "django.db.models.BigAutoField"
