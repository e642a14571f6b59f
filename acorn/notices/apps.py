from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.notices"
    label = "notices"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"
