from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "acorn.ops"
    label = "ops"
    verbose_name = "Operations"
