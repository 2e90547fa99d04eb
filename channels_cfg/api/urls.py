from django.urls import path

from answerpal.api.routing import ApiRouter
from channels_cfg.api.views import (
    ChannelFolderViewSet,
    ChannelTranslationViewSet,
    ChannelViewSet,
    TranslationsByTokenView,
)

router = ApiRouter()
router.register("Channels", ChannelViewSet, basename="channels")
router.register("ChannelFolders", ChannelFolderViewSet, basename="channel-folders")
router.register("ChannelTranslations", ChannelTranslationViewSet, basename="channel-translations")

urlpatterns = [
    path(
        "Channels/<uuid:channelToken>/translations-by-token/<str:lang>",
        TranslationsByTokenView.as_view(),
        name="channel-translations-by-token",
    ),
    *router.urls,
]
