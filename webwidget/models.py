"""How a chat channel's embeddable widget behaves (one optional row per chat channel; defaults without it)."""

from django.core.validators import RegexValidator
from django.db import models


class PrechatForm(models.TextChoices):
    """Off: the visitor writes at once. Optional / Required: name and e-mail asked before the first line."""

    OFF = "Off"
    OPTIONAL = "Optional"
    REQUIRED = "Required"


class ChatWidget(models.Model):
    """The widget settings of one chat channel: title, colour, pre-chat form and whether the AI answers the
    visitor directly (while no representative has taken over, i.e. the ticket is not escalated)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.OneToOneField("channels_cfg.Channel", on_delete=models.CASCADE, related_name="chat_widget")
    title = models.CharField(max_length=100, blank=True, help_text="Header of the open widget; blank = UI text.")
    accent_color = models.CharField(
        max_length=7, default="#2563eb", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use #rrggbb.")]
    )
    prechat_form = models.CharField(max_length=16, choices=PrechatForm.choices, default=PrechatForm.OFF)
    ai_answers = models.BooleanField(
        default=True, help_text="Send the AI's answer to the visitor at once (until the chat is escalated)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["customer"])]

    def __str__(self):
        return f"Widget of channel {self.channel_id}"
