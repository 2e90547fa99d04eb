"""Topics classify conversations; hooks are stored as special topics named after a HookName."""

from django.db import models


class Topic(models.Model):
    """A customer's category for messages; `hook_name` set means the topic stands for a workflow hook."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    hook_name = models.CharField(max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["customer", "name"])]

    def __str__(self):
        return self.name
