from celery import shared_task

from audit import services


@shared_task(name="audit.purge_expired", queue="default", acks_late=True)
def audit_purge_expired() -> int:
    """Daily (beat): removes audit entries past AUDIT_LOG_RETENTION_DAYS, in batches."""
    return services.audit_purge()
