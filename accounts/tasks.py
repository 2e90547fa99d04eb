"""Background work of the accounts app: password-reset mails leave the request path."""

from celery import shared_task

from accounts import services


@shared_task(
    name="accounts.password_reset_mail_send",
    queue="default",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def password_reset_mail_send(token_id: int) -> bool:
    """Mails one reset link (smtplib errors are OSErrors and retried); a gone, used or expired token is skipped."""
    return services.password_reset_mail_send(token_id=token_id)


@shared_task(
    name="accounts.password_reset_prepare",
    queue="default",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def password_reset_prepare(email: str, hostname: str) -> int:
    """Finds the reps of a reset request and queues their mails (off the request path, for every request)."""
    return len(services.password_reset_prepare(email=email, hostname=hostname))
