from answerpal.api.routing import ApiRouter
from audit.api.views import AuditLogViewSet

router = ApiRouter()
router.register("AuditLog", AuditLogViewSet, basename="audit-log")

urlpatterns = router.urls
