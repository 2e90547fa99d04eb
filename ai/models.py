"""The durable record of each inbound message's AI pipeline: what ran, how often, and why it failed."""

from django.db import models


class PipelineState(models.TextChoices):
    QUEUED = "Queued"
    RUNNING = "Running"
    DONE = "Done"
    FAILED = "Failed"  # finished, but at least one step failed after its retries
    SUPERSEDED = "Superseded"  # a newer end-user message on the ticket took over the draft


class MessagePipeline(models.Model):
    """One row per inbound end-user message: created when it arrives (before the task is queued), so the
    sweeper re-drives any message whose task was lost; finished rows make re-delivery a no-op."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField("tickets.TicketMessage", on_delete=models.CASCADE, related_name="ai_pipeline")
    state = models.CharField(max_length=16, choices=PipelineState.choices, default=PipelineState.QUEUED)
    step = models.CharField(max_length=32, blank=True, help_text="The step that finished the run, or that last failed.")
    attempts = models.PositiveIntegerField(default=0)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    failed_steps = models.JSONField(default=list, blank=True, help_text="Steps that failed after their retries.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="ai_pipeline_cust_created"),
            models.Index(fields=["state", "created_at"], name="ai_pipeline_state_created"),
        ]

    def __str__(self):
        return f"Pipeline of message {self.message_id}: {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in (PipelineState.DONE, PipelineState.FAILED, PipelineState.SUPERSEDED)
