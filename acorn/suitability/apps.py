from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.suitability"
    label = "suitability"
    default_auto_field = "django.db.models.BigAutoField"
