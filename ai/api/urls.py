from ai.api.views import TicketMessageAIViewSet, TicketSummaryViewSet, TranslationsViewSet
from answerpal.api.routing import ApiRouter

router = ApiRouter()
router.register("TicketMessages", TicketMessageAIViewSet, basename="ticket-message-ai")
router.register("Tickets", TicketSummaryViewSet, basename="ticket-summary")
router.register("Translations", TranslationsViewSet, basename="translations")

urlpatterns = router.urls
