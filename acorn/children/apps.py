from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.children"
    label = "children"
    default_auto_field = "django.db.models.BigAutoField"
