from answerpal.api.routing import ApiRouter
from automation.api.views import (
    ActionViewSet,
    HookActionViewSet,
    HookDocumentViewSet,
    TicketMessageAutomationViewSet,
    TopicActionViewSet,
    TopicChannelViewSet,
    TopicDocumentViewSet,
    TopicViewSet,
)

router = ApiRouter()
router.register("Topics", TopicViewSet, basename="topics")
router.register("TopicChannels", TopicChannelViewSet, basename="topic-channels")
router.register("TopicActions", TopicActionViewSet, basename="topic-actions")
router.register("TopicDocuments", TopicDocumentViewSet, basename="topic-documents")
router.register("Actions", ActionViewSet, basename="actions")
router.register("HookActions", HookActionViewSet, basename="hook-actions")
router.register("HookDocuments", HookDocumentViewSet, basename="hook-documents")
router.register("TicketMessages", TicketMessageAutomationViewSet, basename="ticket-message-automation")

urlpatterns = router.urls
