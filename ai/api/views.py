"""AI routes of Ticket Messages (reply, reply-with-info, preview, execute-custom-field-definitions, detect-topics),
the ticket summary and the Translations utilities."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ai import selectors, services
from ai.api.serializers import (
    CustomFieldsResultSerializer,
    LocationLanguageQuerySerializer,
    MessagePreviewSerializer,
    PreviewSerializer,
    ReplySerializer,
    ReplyWithInfoSerializer,
    SummarySerializer,
    TranslateSerializer,
)
from ai.providers import override_model_get
from answerpal.api.errors import ApiError
from answerpal.api.policies import RepToken, TicketAccess, TicketAccessOrPhoneAuth, ensure_channel_access
from answerpal.api.viewsets import TenantScoped, TenantViewSet
from tickets.api.serializers import TicketMessageTopicSerializer
from tickets.models import Ticket, TicketMessage


def _caller_rep(request):
    return request.user if getattr(request.auth, "rep_id", None) else None


class TicketMessageAIViewSet(TenantViewSet):
    """AI actions on one message of the caller's customer; another customer's message answers 404."""

    calls_provider = True  # schema: 502/503 provider answers
    queryset = TicketMessage.objects.all()
    serializer_class = ReplySerializer
    policy = TicketAccess
    policies = {"reply": TicketAccessOrPhoneAuth}

    def scope_queryset(self, queryset):
        return queryset.select_related(*selectors.MESSAGE_AI_RELATED)

    @extend_schema(request=None, responses=ReplySerializer, summary="Generate and store an AI reply")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        message = self.get_object()
        ensure_channel_access(request, message.channel_id)
        text = services.message_reply_draft(message=message, rep=_caller_rep(request))
        return Response({"reply": text})

    @extend_schema(request=ReplyWithInfoSerializer, responses=ReplySerializer, summary="Regenerate with extra info")
    @action(detail=True, methods=["post"], url_path="reply-with-info")
    def reply_with_info(self, request, pk=None):
        message = self.get_object()
        body = ReplyWithInfoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        model_id = body.validated_data["overrideModelID"]
        override = override_model_get(customer_id=self.customer_id, model_id=model_id) if model_id else None
        text = services.message_reply_draft(
            message=message,
            rep=_caller_rep(request),
            additional_info=body.validated_data["additionalInfo"],
            override_model=override,
        )
        return Response({"reply": text})

    @extend_schema(request=MessagePreviewSerializer, responses=PreviewSerializer, summary="E-mail body preview")
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        message = self.get_object()
        body = MessagePreviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        edited = body.validated_data.get("modifiedAnswer")
        if edited is not None:
            services.message_response_edit(message=message, text=edited)
        if not (edited or message.ai_modified_response or message.ai_generated_response):
            raise ApiError(400, "NoDraft", "The message has no draft yet; generate a reply or send modifiedAnswer.")
        html = services.message_preview_html(message=message, rep=_caller_rep(request), text=edited)
        return Response({"preview": html})

    @extend_schema(request=None, responses=CustomFieldsResultSerializer, summary="Extract custom fields now")
    @action(detail=True, methods=["post"], url_path="execute-custom-field-definitions")
    def execute_custom_field_definitions(self, request, pk=None):
        message = self.get_object()
        data = services.message_custom_fields_extract(message=message, overwrite=True)
        if data is None:
            raise ApiError(400, "NoCustomFieldDefinitions", "Define custom fields first (/api/CustomerCustomFields).")
        return Response({"customFieldsData": data})

    @extend_schema(request=None, responses=TicketMessageTopicSerializer(many=True), summary="Detect topics now")
    @action(detail=True, methods=["post"], url_path="detect-topics")
    def detect_topics(self, request, pk=None):
        message = self.get_object()
        if services.message_topics_detect(message=message) is None:
            raise ApiError(400, "NoTopics", "No active topic applies to this message's channel.")
        rows = message.topics.select_related("topic", "corrected_by").order_by("id")
        return Response(TicketMessageTopicSerializer(rows, many=True).data)


class TicketSummaryViewSet(TenantViewSet):
    """`POST /api/Tickets/{id}/summarize`: summarizes the conversation and stores it as the ticket's summary."""

    calls_provider = True  # schema: 502/503 provider answers
    queryset = Ticket.objects.all()
    serializer_class = SummarySerializer
    policy = TicketAccess

    def scope_queryset(self, queryset):
        return queryset.select_related("customer", "customer__default_summary_model")

    @extend_schema(request=None, responses=SummarySerializer, summary="Summarize the ticket")
    @action(detail=True, methods=["post"])
    def summarize(self, request, pk=None):
        ticket = self.get_object()
        if not ticket.messages.exists():
            raise ApiError(400, "NothingToSummarize", "The ticket has no messages yet.")
        return Response({"summary": services.ticket_summarize(ticket=ticket)})


class TranslationsViewSet(TenantScoped, viewsets.ViewSet):
    """AI text utilities of the caller's customer; answers are plain JSON strings."""

    calls_provider = True  # schema: 502/503 provider answers
    policy = RepToken

    def _customer(self):
        return selectors.customer_for_ai(customer_id=self.customer_id)

    @extend_schema(request=TranslateSerializer, responses=OpenApiTypes.STR, summary="Translate a text")
    @action(detail=False, methods=["post"])
    def translate(self, request):
        body = TranslateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        text = services.text_translate(
            customer=self._customer(),
            text=body.validated_data["sourceText"],
            target_lang=body.validated_data["targetLang"],
        )
        return Response(text)

    @extend_schema(
        parameters=[
            OpenApiParameter("country", str, required=True),
            OpenApiParameter("state", str),
            OpenApiParameter("city", str),
        ],
        responses=OpenApiTypes.STR,
        summary="Primary language (ISO 639-3) of a place",
    )
    @action(detail=False, methods=["get"], url_path="detect-language-ai")
    def detect_language_ai(self, request):
        query = LocationLanguageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        lang = services.location_language_detect(customer=self._customer(), **query.validated_data)
        if not lang:
            raise ApiError(400, "UnknownLocation", "No language is known for this country.")
        return Response(lang)
