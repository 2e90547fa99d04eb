from answerpal.api.routing import ApiRouter
from documents.api.views import DocumentViewSet

router = ApiRouter()
router.register("Documents", DocumentViewSet, basename="documents")

urlpatterns = router.urls
