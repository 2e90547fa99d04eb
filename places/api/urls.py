from django.urls import path

from answerpal.api.routing import ApiRouter
from places.api.views import (
    PlaceDescriptionPhotoView,
    PlaceDescriptionReportViewSet,
    PlaceDescriptionRoomPhotoViewSet,
    PlaceDescriptionRoomViewSet,
)

router = ApiRouter()
router.register("PlaceDescriptionReports", PlaceDescriptionReportViewSet, basename="place-description-reports")
router.register("PlaceDescriptionRooms", PlaceDescriptionRoomViewSet, basename="place-description-rooms")
router.register("PlaceDescriptionRoomPhotos", PlaceDescriptionRoomPhotoViewSet, basename="place-description-photos")

urlpatterns = [
    path("PlaceDescriptionPhotos/<uuid:access_token>", PlaceDescriptionPhotoView.as_view(), name="place-photo"),
    path(
        "PlaceDescriptionPhotos/<uuid:access_token>/thumbnail",
        PlaceDescriptionPhotoView.as_view(thumbnail=True),
        name="place-photo-thumbnail",
    ),
    *router.urls,
]
