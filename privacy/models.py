"""Data-protection records: erasure jobs (which, once done, are the receipt of the erasure) and retention runs.

Neither holds personal data: an erasure job names the end user by id only while it runs (the row is gone
afterwards) and keeps salted hashes of the person's UIDs, so a later request can be matched to the receipt
without the receipt revealing whom it was about."""

from django.db import models


class ErasureState(models.TextChoices):
    QUEUED = "Queued"
    RUNNING = "Running"
    DONE = "Done"
    FAILED = "Failed"  # the task gave up; running the job again resumes where it stopped
    REFUSED = "Refused"  # a legal hold was set on one of the person's tickets


class ErasureJob(models.Model):
    """One erasure request of one end user: state and progress while it runs, counts per kind when done.

    Idempotent and resumable: every step deletes or anonymises what is still there, so running a job again (a
    retried task, a resumed command) finishes the work and adds nothing twice."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    end_user_id = models.BigIntegerField(help_text="The erased end user's former id (no personal data).")
    actor_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=100, blank=True, help_text="Who asked: 'rep:<id>', 'command', 'retention'.")
    state = models.CharField(max_length=16, choices=ErasureState.choices, default=ErasureState.QUEUED)
    step = models.CharField(max_length=32, blank=True, help_text="The step running now or the last one finished.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    uid_hashes = models.JSONField(default=list, blank=True, help_text="Salted HMAC-SHA256 of each UID.")
    counts = models.JSONField(default=dict, blank=True, help_text="Rows and files removed or anonymised, per kind.")
    error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="erasure_job_cust_created"),
            models.Index(fields=["customer", "end_user_id"], name="erasure_job_cust_end_user"),
        ]

    def __str__(self):
        return f"Erasure {self.pk} of end user {self.end_user_id}: {self.state}"


class RetentionRun(models.Model):
    """The report of one retention run for one customer: the settings it applied and what it removed, per kind."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    dry_run = models.BooleanField(default=False)
    settings = models.JSONField(default=dict, blank=True, help_text="The retention days in force for this run.")
    counts = models.JSONField(default=dict, blank=True, help_text="Removed (or, dry run, due) per kind.")
    complete = models.BooleanField(default=True, help_text="False when the batch limit left rows for the next run.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["customer", "started_at"], name="retention_run_cust_started")]

    def __str__(self):
        return f"Retention run {self.pk} of customer {self.customer_id}"
