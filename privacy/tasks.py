"""Thin Celery tasks of the privacy app: ids in, one service call, idempotent."""

from celery import shared_task
from celery.worker.control import control_command

from ai.providers import topics as topic_matching
from privacy import services


@control_command(name="privacy_caches_clear")
def privacy_caches_clear(state) -> dict:
    """Remote control command (broadcast after an erasure): drops the worker's cached message vectors and topic
    profiles, whose keys are customers' message texts."""
    topic_matching.caches_clear()
    return {"ok": "caches cleared"}


@shared_task(
    name="privacy.erasure_run",
    queue="default",
    acks_late=True,
    bind=True,
    max_retries=5,
    retry_backoff=True,
)
def erasure_run(self, job_id: int) -> str | None:
    """Runs (or resumes) one erasure job; a failed step retries the job, which resumes after the last done step."""
    try:
        job = services.erasure_job_run(job_id=job_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.erasure_job_fail(job_id=job_id, error_code=type(error).__name__)
            raise
        raise self.retry(exc=error) from error
    return job.state if job else None


@shared_task(name="privacy.retention_enqueue_all", queue="default", acks_late=True)
def retention_enqueue_all() -> int:
    """The daily beat entry: one retention task per customer with retention settings."""
    return services.retention_enqueue_all()


@shared_task(name="privacy.retention_run_customer", queue="default", acks_late=True, max_retries=3)
def retention_run_customer(customer_id: int) -> dict | None:
    """One customer's retention run (bounded batches; what is left waits for the next day)."""
    from customers.models import Customer

    if not Customer.objects.filter(pk=customer_id).exists():
        return None
    return services.retention_run(customer_id=customer_id, commit=True).counts
