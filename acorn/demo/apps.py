from django.apps import AppConfig


class Config(AppConfig):
    """The demo data (`manage.py seed_demo`): it uses every app's services, so it lives
    here rather than inside any one of them. No models."""

    name = "acorn.demo"
    label = "demo"
