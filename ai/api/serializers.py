"""Request and response shapes of the AI routes (names exactly as the front end and the spec use them)."""

from rest_framework import serializers


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(read_only=True)


class ReplyWithInfoSerializer(serializers.Serializer):
    additionalInfo = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    overrideModelID = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)


class MessagePreviewSerializer(serializers.Serializer):
    modifiedAnswer = serializers.CharField(required=False, allow_blank=False, max_length=100000, trim_whitespace=False)


class PreviewSerializer(serializers.Serializer):
    preview = serializers.CharField(read_only=True)


class CustomFieldsResultSerializer(serializers.Serializer):
    customFieldsData = serializers.DictField(read_only=True)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(read_only=True)


class TranslateSerializer(serializers.Serializer):
    """TranslateRequest: sourceText (not blank) and targetLang (ISO 639-3 preferred, 639-1 accepted)."""

    sourceText = serializers.CharField(max_length=50000)
    targetLang = serializers.RegexField(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$", max_length=16)


class LocationLanguageQuerySerializer(serializers.Serializer):
    country = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
