from django.apps import AppConfig


class LeavingConfig(AppConfig):
    name = "acorn.leaving"
    label = "leaving"
    verbose_name = "Leaving, transfer, export and deletion"
