from django.db import models


class AuditEvent(models.Model):
    """One append-only line of the audit trail (A-8).

    Ids are stored as plain values rather than foreign keys so that the trail outlives
    the rows it describes: a purged child leaves the record that it was purged.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=False)
    actor_id = models.UUIDField(null=True, blank=True)
    setting_id = models.UUIDField(null=True, blank=True)
    child_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["setting_id", "-at"], name="audit_setting_at"),
            models.Index(fields=["child_id", "-at"], name="audit_child_at"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_at"),
            # Today looks for the day's probing flags on every visit: without this it read
            # every event of the setting's day (every journal read is one).
            models.Index(
                fields=["setting_id", "-at"],
                condition=models.Q(action="probing.noticed"),
                name="audit_probing_noticed",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
