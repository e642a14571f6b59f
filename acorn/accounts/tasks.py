from django.core.mail import send_mail
from django.tasks import task


@task()
def send_email(*, to: str, subject: str, body: str) -> None:
    """Emails leave from the task worker so a slow mail server never holds a page."""
    send_mail(subject, body, None, [to])
