from django.tasks import task


@task()
def send_clearance_reminders() -> int:
    """Daily: remind staff and session leaders before a suitability check lapses."""
    from acorn.suitability.services import clearance_reminders_send

    return clearance_reminders_send()
