"""Topics (+ TopicChannels, TopicActions, TopicDocuments), Actions, Hooks and the runtime TicketMessages routes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from answerpal.api.errors import ApiError, field_error
from answerpal.api.filters import query_id
from answerpal.api.policies import (
    ManageSettings,
    RepToken,
    TicketAccess,
    TicketAccessOrPhoneAuth,
    ensure_channel_access,
)
from answerpal.api.viewsets import TenantModelViewSet, TenantViewSet
from automation import selectors, services
from automation.api.serializers import (
    ActionAvailableSerializer,
    ActionSerializer,
    ExecuteActionResponseSerializer,
    ExecuteActionSerializer,
    ExecuteHookSerializer,
    HookActionSerializer,
    HookDocumentSerializer,
    IdListSerializer,
    PrioritySerializer,
    PromptDocsExtendedSerializer,
    PromptDocumentSerializer,
    TicketMessageActionSerializer,
    TopicActionSerializer,
    TopicChannelSerializer,
    TopicDocumentSerializer,
    TopicSerializer,
    WaitSecondsSerializer,
)
from automation.filters import (
    HookActionFilterSet,
    HookNameField,
    TopicActionFilterSet,
    TopicChannelFilterSet,
    TopicDocumentFilterSet,
)
from automation.models import Action, Topic, TopicAction, TopicChannel, TopicDocument
from automation.prompt_documents import prompt_documents_build
from tickets import selectors as ticket_selectors
from tickets.models import TicketMessage

READ_ACTIONS = ("list", "retrieve")


def _hook_param(request) -> str:
    try:
        return HookNameField(required=True).clean(request.query_params.get("hookName"))
    except DjangoValidationError as error:
        raise field_error("hookName", " ".join(error.messages) or "hookName is required.") from error


def _channel_for_caller(request, channel_id: int | None) -> int | None:
    """Phone tokens act on their own channel: a missing channelId means it, another one is 403."""
    if request.auth.is_phone:
        if channel_id is None:
            return request.auth.channel_id
        ensure_channel_access(request, channel_id)
    return channel_id


class TopicViewSet(TenantModelViewSet):
    """Topics: reads for reps and phone tokens (limited to a channel's topic policy), writes ManageSettings."""

    queryset = Topic.objects.all()
    serializer_class = TopicSerializer
    max_page_size = 1000  # the web app fetches "all" with pageSize=1000 (frontend.md)
    lookup_value_regex = "[0-9]+"
    sort_fields = {"name": "name", "topicID": "id", "dateCreated": "created_at"}
    default_sort = "name"
    search_fields = ["name", "description"]

    policy = ManageSettings
    policies = dict.fromkeys(READ_ACTIONS, TicketAccessOrPhoneAuth)

    @extend_schema(parameters=[OpenApiParameter("channelId", OpenApiTypes.INT)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[OpenApiParameter("channelId", OpenApiTypes.INT)])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def scope_queryset(self, queryset):
        queryset = selectors.topic_queryset()
        if self.action in READ_ACTIONS:
            channel_id = _channel_for_caller(self.request, query_id(self.request, "channelId"))
            if channel_id is not None:
                allowed = selectors.topics_for_channel(customer_id=self.customer_id, channel_id=channel_id)
                queryset = queryset.filter(pk__in=allowed.values("pk"))
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.topic_create(customer_id=self.customer_id, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.topic_update(topic=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.topic_delete(topic=instance)


class TopicChannelViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """Topic ↔ channel relevance links (ManageSettings); bulk create and bulk delete."""

    queryset = TopicChannel.objects.all()
    serializer_class = TopicChannelSerializer
    policy = ManageSettings
    filterset_class = TopicChannelFilterSet
    lookup_value_regex = "[0-9]+"
    sort_fields = {"topicChannelID": "id", "topicName": "topic__name", "channelName": "channel__name"}
    default_sort = "topicChannelID"

    def scope_queryset(self, queryset):
        return selectors.topic_channel_queryset()

    def perform_create(self, serializer):
        data = serializer.validated_data
        [link] = services.topic_channels_create(customer_id=self.customer_id, pairs=[(data["topic"], data["channel"])])
        serializer.instance = link

    def perform_destroy(self, instance):
        services.topic_channels_delete(customer_id=self.customer_id, ids=[instance.pk])

    @extend_schema(request=TopicChannelSerializer(many=True), responses={201: TopicChannelSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="bulk", pagination_class=None, filter_backends=[])
    def bulk(self, request):
        """Creates every listed {topicID, channelID} link (existing links are returned as they are)."""
        serializer = TopicChannelSerializer(data=request.data, many=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        pairs = [(item["topic"], item["channel"]) for item in serializer.validated_data]
        links = services.topic_channels_create(customer_id=self.customer_id, pairs=pairs)
        return Response(TopicChannelSerializer(links, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IdListSerializer, responses={204: None})
    @bulk.mapping.delete
    def bulk_delete(self, request):
        """Deletes the listed links ({ids: [...]}); ids of other customers are ignored."""
        serializer = IdListSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.topic_channels_delete(customer_id=self.customer_id, ids=serializer.validated_data["ids"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class _LinkViewSet(TenantModelViewSet):
    """Common behaviour of TopicActions / TopicDocuments: reads for any rep, writes ManageSettings."""

    lookup_value_regex = "[0-9]+"

    policy = ManageSettings
    policies = dict.fromkeys(READ_ACTIONS, RepToken)


class _ActionLinkViewSet(_LinkViewSet):
    """TopicAction rows linking a topic or a hook to an action: PUT changes the priority only, bulk skips existing."""

    queryset = TopicAction.objects.all()
    default_sort = "priority"
    default_sort_order = "desc"

    def perform_create(self, serializer):
        serializer.instance = services.topic_action_create(customer_id=self.customer_id, data=serializer.validated_data)

    def update(self, request, *args, **kwargs):
        link = self.get_object()
        serializer = PrioritySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.topic_action_set_priority(link=link, priority=serializer.validated_data["priority"])
        return Response(self.serializer_class(link).data)

    def perform_destroy(self, instance):
        services.topic_action_delete(link=instance)

    @action(detail=False, methods=["post"], url_path="bulk", pagination_class=None, filter_backends=[])
    def bulk(self, request):
        """Creates the listed links; combinations that already exist are skipped."""
        serializer = self.serializer_class(data=request.data, many=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        links = services.topic_actions_bulk_create(customer_id=self.customer_id, items=serializer.validated_data)
        return Response(self.serializer_class(links, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    bulk=extend_schema(request=TopicActionSerializer(many=True), responses={201: TopicActionSerializer(many=True)})
)
class TopicActionViewSet(_ActionLinkViewSet):
    """Topic ↔ action links with priority (higher runs first); PUT changes the priority only."""

    serializer_class = TopicActionSerializer
    filterset_class = TopicActionFilterSet
    sort_fields = {
        "priority": "priority",
        "topicActionID": "id",
        "actionName": "action__name",
        "topicName": "topic__name",
    }

    def get_serializer_class(self):
        return PrioritySerializer if self.action == "update" else TopicActionSerializer

    def scope_queryset(self, queryset):
        return selectors.topic_action_queryset()


class TopicDocumentViewSet(_LinkViewSet):
    """Topic/hook ↔ document links, optionally per channel."""

    queryset = TopicDocument.objects.all()
    serializer_class = TopicDocumentSerializer
    filterset_class = TopicDocumentFilterSet
    sort_fields = {"topicDocumentID": "id", "documentName": "document__name", "topicName": "topic__name"}
    default_sort = "topicDocumentID"

    def scope_queryset(self, queryset):
        return selectors.topic_document_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.topic_document_create(
            customer_id=self.customer_id, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.topic_document_update(link=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.topic_document_delete(link=instance)

    @extend_schema(request=TopicDocumentSerializer(many=True), responses={201: TopicDocumentSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="bulk", pagination_class=None, filter_backends=[])
    def bulk(self, request):
        serializer = TopicDocumentSerializer(data=request.data, many=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        links = services.topic_documents_bulk_create(customer_id=self.customer_id, items=serializer.validated_data)
        return Response(TopicDocumentSerializer(links, many=True).data, status=status.HTTP_201_CREATED)


class ActionViewSet(TenantModelViewSet):
    """Reusable action definitions (ManageSettings); `available` lists active ones for ticket/phone contexts."""

    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    max_page_size = 1000  # the web app fetches "all" with pageSize=1000 (frontend.md)
    lookup_value_regex = "[0-9]+"
    sort_fields = {"name": "name", "actionType": "action_type", "actionID": "id", "dateCreated": "created_at"}
    default_sort = "name"
    search_fields = ["name", "description"]

    policy = ManageSettings
    policies = {"available": TicketAccessOrPhoneAuth}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("id", None)
        serializer.instance = services.action_create(customer_id=self.customer_id, data=data)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        body_id = request.data.get("actionID") if isinstance(request.data, dict) else None
        if body_id is None or str(body_id) != str(instance.pk):
            raise field_error("actionID", "The body's actionID must equal the id in the path.", code="IdMismatch")
        serializer = self.get_serializer(instance, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("id", None)
        action_row = services.action_update(action=instance, data=data)
        return Response(self.get_serializer(action_row).data)

    def perform_destroy(self, instance):
        services.action_delete(action=instance)

    @extend_schema(responses=ActionAvailableSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="available", pagination_class=None, filter_backends=[])
    def available(self, request):
        actions = selectors.available_actions(customer_id=self.customer_id)
        return Response(ActionAvailableSerializer(actions, many=True).data)


@extend_schema_view(
    bulk=extend_schema(request=HookActionSerializer(many=True), responses={201: HookActionSerializer(many=True)})
)
class HookActionViewSet(_ActionLinkViewSet):
    """Actions linked to hooks (stored as TopicAction rows whose specialTopic is the hook name)."""

    serializer_class = HookActionSerializer
    filterset_class = HookActionFilterSet
    sort_fields = {
        "priority": "priority",
        "hookActionID": "id",
        "hookName": "special_topic",
        "actionName": "action__name",
    }

    policy = ManageSettings
    policies = dict.fromkeys((*READ_ACTIONS, "wait_seconds"), RepToken)

    def scope_queryset(self, queryset):
        return selectors.hook_action_queryset()

    def list(self, request, *args, **kwargs):
        if not request.query_params.get("hookName") and not request.query_params.get("actionId"):
            raise ApiError(400, "HookFilterRequired", "Give hookName or actionId to list hook actions.")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("hookName", OpenApiTypes.STR, required=True),
            OpenApiParameter("channelId", OpenApiTypes.INT),
        ],
        responses=WaitSecondsSerializer,
    )
    @action(detail=False, methods=["get"], url_path="wait-seconds", pagination_class=None, filter_backends=[])
    def wait_seconds(self, request):
        """Sum of the active Wait actions' seconds linked to the hook on the channel."""
        total = selectors.hook_wait_seconds(
            customer_id=self.customer_id, hook_name=_hook_param(request), channel_id=query_id(request, "channelId")
        )
        return Response({"totalWaitSeconds": total})


class HookDocumentViewSet(mixins.CreateModelMixin, TenantViewSet):
    """Hook ↔ document links (TopicDocument rows with the hook as specialTopic) and a hook's prompt documents."""

    queryset = TopicDocument.objects.all()
    serializer_class = HookDocumentSerializer

    policy = ManageSettings
    policies = {"prompt_documents": TicketAccessOrPhoneAuth}

    def scope_queryset(self, queryset):
        return selectors.topic_document_queryset().filter(special_topic__in=selectors.HOOK_NAMES)

    def perform_create(self, serializer):
        serializer.instance = services.topic_document_create(
            customer_id=self.customer_id, data=serializer.validated_data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("hookName", OpenApiTypes.STR, required=True),
            OpenApiParameter("channelId", OpenApiTypes.INT),
        ],
        responses=PromptDocumentSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="promptDocuments", pagination_class=None, filter_backends=[])
    def prompt_documents(self, request):
        """The hook's static prompt documents on the channel (phone tokens: their own channel only)."""
        hook_name = _hook_param(request)
        channel_id = _channel_for_caller(request, query_id(request, "channelId"))
        documents = prompt_documents_build(
            customer_id=self.customer_id, channel_id=channel_id, hook_name=hook_name, message=None, static_only=True
        )
        return Response(PromptDocumentSerializer(documents, many=True).data)


class TicketMessageAutomationViewSet(TenantViewSet):
    """Runtime routes under /api/TicketMessages/{id}: run hooks and actions, read prompt documents."""

    queryset = TicketMessage.objects.all()
    serializer_class = TicketMessageActionSerializer
    lookup_value_regex = "[0-9]+"

    policy = TicketAccess
    policies = dict.fromkeys(("execute_hook", "prompt_documents"), TicketAccessOrPhoneAuth)

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("ticket", "channel")
        if self.request.auth.is_phone:
            queryset = queryset.filter(ticket__channel_id=self.request.auth.channel_id)
        return queryset

    @extend_schema(request=ExecuteHookSerializer, responses={202: TicketMessageActionSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="execute-hook")
    def execute_hook(self, request, pk=None):
        """Queues the hook's action chain for the message; answers the recorded runs (202)."""
        message = self.get_object()
        serializer = ExecuteHookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.hook_run(
            customer_id=self.customer_id, message_id=message.pk, hook_name=serializer.validated_data["hookName"]
        )
        runs = selectors.message_action_runs(message_id=message.pk).filter(
            trigger=serializer.validated_data["hookName"]
        )
        return Response(TicketMessageActionSerializer(runs, many=True).data, status=status.HTTP_202_ACCEPTED)

    def _execute(self, message, action_row) -> Response:
        result = services.action_execute(message=message, action=action_row)
        return Response({"message": result.message, "finished": result.finished})

    @extend_schema(
        parameters=[OpenApiParameter("actionId", OpenApiTypes.INT, required=True)],
        responses=ExecuteActionResponseSerializer,
    )
    @action(detail=True, methods=["get"], url_path="execute-single-action")
    def execute_single_action(self, request, pk=None):
        """Runs one action on the message now → {message, finished}."""
        message = self.get_object()
        action_id = query_id(request, "actionId", required=True)
        action_row = selectors.action_of_customer(customer_id=self.customer_id, action_id=action_id)
        if action_row is None:
            raise field_error("actionId", f"No action {action_id} exists.")
        return self._execute(message, action_row)

    @extend_schema(request=ExecuteActionSerializer, responses=ExecuteActionResponseSerializer)
    @action(detail=True, methods=["post"], url_path="execute-action")
    def execute_action(self, request, pk=None):
        """Runs one action ({actionID}) on the message now → {message, finished}."""
        message = self.get_object()
        serializer = ExecuteActionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._execute(message, serializer.validated_data["actionID"])

    @extend_schema(
        parameters=[OpenApiParameter("onlyPromptDocuments", OpenApiTypes.BOOL)],
        responses=PromptDocsExtendedSerializer,
    )
    @action(detail=True, methods=["get"], url_path="promptDocuments", pagination_class=None, filter_backends=[])
    def prompt_documents(self, request, pk=None):
        """PromptDocsExtendedDTO: documents of the message's topics (and every-topic links) on its channel,
        placeholders filled, data-retrieval documents called; with the message's end user and their other
        tickets (newest first, at most 10). onlyPromptDocuments=true: static documents only, no context."""
        message = self.get_object()
        only_static = request.query_params.get("onlyPromptDocuments", "").lower() == "true"
        documents = prompt_documents_build(
            customer_id=self.customer_id,
            channel_id=message.channel_id or message.ticket.channel_id,
            hook_name=None,
            message=message,
            static_only=only_static,
            topic_ids=list(ticket_selectors.message_topics(message=message).values_list("topic_id", flat=True)),
        )
        end_users, tickets = ([], []) if only_static else ticket_selectors.message_end_user_context(message=message)
        body = {"promptDocuments": documents, "endUsers": end_users, "tickets": tickets}
        return Response(PromptDocsExtendedSerializer(body).data)
