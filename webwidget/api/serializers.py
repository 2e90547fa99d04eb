"""Bodies and answers of the widget's routes (JSON names in the API's camelCase)."""

from rest_framework import serializers

from webwidget.models import PrechatForm


class WidgetConfigSerializer(serializers.Serializer):
    channelName = serializers.CharField()
    title = serializers.CharField()
    accentColor = serializers.CharField()
    prechatForm = serializers.ChoiceField(choices=PrechatForm.choices)
    aiAnswers = serializers.BooleanField()
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


class WidgetFilePostSerializer(WidgetTicketTokenSerializer):
    file = serializers.FileField(allow_empty_file=False)
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    pageURL = serializers.URLField(required=False, allow_blank=True, max_length=2000, default="")


class WidgetFileLineSerializer(serializers.Serializer):
    messageID = serializers.IntegerField()
