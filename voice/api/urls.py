from answerpal.api.routing import ApiRouter

router = ApiRouter()

urlpatterns = router.urls
