from answerpal.api.routing import ApiRouter
from privacy.api.views import EndUserPrivacyViewSet, ErasureJobViewSet, RetentionRunViewSet

router = ApiRouter()
router.register("EndUsers", EndUserPrivacyViewSet, basename="end-user-privacy")
router.register("ErasureJobs", ErasureJobViewSet, basename="erasure-jobs")
router.register("RetentionRuns", RetentionRunViewSet, basename="retention-runs")

urlpatterns = router.urls
