"""How a chat channel's embeddable widget behaves (one optional row per chat channel; defaults without it)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from webwidget import hours


class PrechatForm(models.TextChoices):
    """Off: the visitor writes at once. Optional / Required: name and e-mail asked before the first line."""

    OFF = "Off"
    OPTIONAL = "Optional"
    REQUIRED = "Required"


class WidgetPosition(models.TextChoices):
    """The corner of the page the launcher (and the panel above it) sits in."""

    RIGHT = "Right"
    LEFT = "Left"


class ChatWidget(models.Model):
    """The widget settings of one chat channel: look (title, colour, position), pre-chat form, consent line, launcher
    sound, whether the AI answers the visitor directly (while no representative has taken over, i.e. the ticket is
    not escalated) and the business hours (weekly hours in a time zone, holidays) with the away text shown outside
    them. No hours (an empty `business_hours`) means people answer at any time: no away text anywhere."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.OneToOneField("channels_cfg.Channel", on_delete=models.CASCADE, related_name="chat_widget")
    title = models.CharField(max_length=100, blank=True, help_text="Header of the open widget; blank = UI text.")
    accent_color = models.CharField(
        max_length=7, default="#2563eb", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use #rrggbb.")]
    )
    position = models.CharField(max_length=8, choices=WidgetPosition.choices, default=WidgetPosition.RIGHT)
    prechat_form = models.CharField(max_length=16, choices=PrechatForm.choices, default=PrechatForm.OFF)
    ai_answers = models.BooleanField(
        default=True, help_text="Send the AI's answer to the visitor at once (until the chat is escalated)."
    )
    consent_text = models.CharField(
        max_length=500, blank=True, help_text="Privacy / consent line under the message box; blank = none."
    )
    consent_url = models.URLField(max_length=500, blank=True, help_text="The privacy notice the consent line links.")
    sound = models.BooleanField(default=False, help_text="A short sound when a reply arrives while the chat is closed.")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA time zone of the business hours.")
    business_hours = models.JSONField(
        default=list, blank=True, help_text='[{"day": "Monday", "open": "09:00", "close": "17:00"}, …]; [] = always.'
    )
    holidays = models.JSONField(default=list, blank=True, help_text='Closed days: ["2026-12-25", …].')
    away_message = models.CharField(
        max_length=500, blank=True, help_text="Shown outside the hours ({next} = when people answer); blank = UI text."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["customer"])]

    def __str__(self):
        return f"Widget of channel {self.channel_id}"

    def clean(self):
        """The hours as the API checks them (the admin's form shows the message on the field)."""
        checks = {
            "time_zone": hours.time_zone_validate,
            "business_hours": hours.intervals_validate,
            "holidays": hours.holidays_validate,
        }
        errors = {}
        for name, check in checks.items():
            try:
                setattr(self, name, check(getattr(self, name)))
            except hours.HoursError as error:
                errors[name] = str(error)
        if errors:
            raise ValidationError(errors)
