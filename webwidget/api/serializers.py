"""Bodies and answers of the widget's routes (JSON names in the API's camelCase)."""

from rest_framework import serializers

from webwidget import hours
from webwidget.models import ChatWidget, PrechatForm, WidgetPosition


class BusinessHoursIntervalSerializer(serializers.Serializer):
    day = serializers.ChoiceField(choices=hours.DAYS)
    open = serializers.RegexField(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", help_text="HH:MM, local time.")
    close = serializers.RegexField(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", help_text="HH:MM; 24:00 = midnight.")


class BusinessHoursSerializer(serializers.Serializer):
    """Weekly hours in a time zone, minus holidays; no intervals = people answer at any time (no away text)."""

    timeZone = serializers.CharField(
        source="time_zone", default="UTC", max_length=64, help_text="IANA time zone, e.g. Europe/Brussels."
    )
    weekly = BusinessHoursIntervalSerializer(source="business_hours", many=True, default=list)
    holidays = serializers.ListField(
        child=serializers.DateField(), default=list, max_length=hours.MAX_HOLIDAYS, help_text="Closed days."
    )

    def validate_timeZone(self, value):
        try:
            return hours.time_zone_validate(value)
        except hours.HoursError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate_weekly(self, value):
        try:
            return hours.intervals_validate([dict(item) for item in value])
        except hours.HoursError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate_holidays(self, value):
        return sorted({day.isoformat() for day in value})


class WidgetSettingsSerializer(serializers.ModelSerializer):
    """GET/PUT/PATCH /api/Channels/{channelId}/widget: the chat widget's look and switches. Every field is optional
    on PUT: a missing one takes its default (today's widget: blue, right, no consent line, no sound, AI answers on,
    no business hours)."""

    channelID = serializers.IntegerField(source="channel_id", read_only=True)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    accentColor = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$", source="accent_color", required=False, default="#2563eb", help_text="#rrggbb."
    )
    position = serializers.ChoiceField(choices=WidgetPosition.choices, required=False, default=WidgetPosition.RIGHT)
    prechatForm = serializers.ChoiceField(
        source="prechat_form", choices=PrechatForm.choices, required=False, default=PrechatForm.OFF
    )
    aiAnswers = serializers.BooleanField(source="ai_answers", required=False, default=True)
    consentText = serializers.CharField(
        source="consent_text", max_length=500, required=False, allow_blank=True, default=""
    )
    consentURL = serializers.URLField(
        source="consent_url",
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="http(s) link of the privacy notice.",
    )
    sound = serializers.BooleanField(required=False, default=False)
    businessHours = BusinessHoursSerializer(source="*", required=False)
    awayMessage = serializers.CharField(
        source="away_message",
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown outside the hours; {next} = when people answer next. Blank = the UI text.",
    )
    dateUpdated = serializers.DateTimeField(source="updated_at", read_only=True, allow_null=True)

    class Meta:
        model = ChatWidget
        fields = [
            "channelID",
            "title",
            "accentColor",
            "position",
            "prechatForm",
            "aiAnswers",
            "consentText",
            "consentURL",
            "sound",
            "businessHours",
            "awayMessage",
            "dateUpdated",
        ]

    def validate_consentURL(self, value):
        if value and not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError("Use an http(s) link.")
        return value

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if not self.partial and "businessHours" not in (data or {}):
            values.update({"time_zone": "UTC", "business_hours": [], "holidays": []})
        return values


class WidgetHoursSerializer(serializers.Serializer):
    configured = serializers.BooleanField(help_text="The channel has business hours.")
    open = serializers.BooleanField(help_text="People answer now.")
    nextOpen = serializers.DateTimeField(allow_null=True, help_text="When people answer next (while closed).")
    timeZone = serializers.CharField()


class WidgetConfigSerializer(serializers.Serializer):
    channelName = serializers.CharField()
    title = serializers.CharField()
    accentColor = serializers.CharField()
    position = serializers.ChoiceField(choices=WidgetPosition.choices)
    prechatForm = serializers.ChoiceField(choices=PrechatForm.choices)
    aiAnswers = serializers.BooleanField()
    consentURL = serializers.CharField(allow_blank=True)
    sound = serializers.BooleanField()
    hours = WidgetHoursSerializer()
    awayLine = serializers.CharField(allow_blank=True, help_text="The away text now ('' while people answer).")
    lang = serializers.CharField()
    texts = serializers.DictField(child=serializers.CharField())
    streamPath = serializers.CharField()
    maxUploadBytes = serializers.IntegerField()


class WidgetConversationStartSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254, default="")

    def validate(self, data):
        if self.context["prechat_form"] == PrechatForm.REQUIRED:
            missing = {field: ["Required."] for field in ("name", "email") if not data.get(field)}
            if missing:
                raise serializers.ValidationError(missing)
        return data


class WidgetConversationSerializer(serializers.Serializer):
    ticketToken = serializers.UUIDField()
    ticketID = serializers.IntegerField()


class WidgetTicketTokenSerializer(serializers.Serializer):
    ticketToken = serializers.UUIDField()


class WidgetFeedbackSerializer(WidgetTicketTokenSerializer):
    like = serializers.BooleanField()


class WidgetFeedbackResultSerializer(serializers.Serializer):
    messageID = serializers.IntegerField(allow_null=True)
    agentAvailable = serializers.BooleanField()
    customerRepName = serializers.CharField(allow_blank=True)


class WidgetEscalateSerializer(WidgetTicketTokenSerializer):
    aI_FeedbackComment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class WidgetEscalateResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    awayLine = serializers.CharField(allow_blank=True, help_text="When a person answers, outside business hours.")
    nextOpen = serializers.DateTimeField(allow_null=True)


class RepTypingSerializer(serializers.Serializer):
    isTyping = serializers.BooleanField(default=True)


class RepTypingResultSerializer(serializers.Serializer):
    ticketID = serializers.IntegerField()
    isTyping = serializers.BooleanField()


class WidgetFilePostSerializer(WidgetTicketTokenSerializer):
    file = serializers.FileField(allow_empty_file=False)
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    pageURL = serializers.URLField(required=False, allow_blank=True, max_length=2000, default="")


class WidgetFileLineSerializer(serializers.Serializer):
    messageID = serializers.IntegerField()
