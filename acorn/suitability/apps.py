from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.suitability"
    label = "suitability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from acorn.suitability import models
        from acorn.suitability.selectors import records_changed

        for model in (
            models.DbsCheck,
            models.StatusCheck,
            models.UpdateServiceSubscription,
            models.Declaration,
            models.SafeguardingTraining,
        ):
            post_save.connect(records_changed, sender=model, dispatch_uid=f"clearance-{model}")
            post_delete.connect(records_changed, sender=model, dispatch_uid=f"clearance-d-{model}")
