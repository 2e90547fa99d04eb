"""Place description routes keyed by public photo tokens, and the tests that prove them."""

SPECIAL_ROUTES = {
    "/api/PlaceDescriptionPhotos/{access_token}": (
        "tests/places/test_photos.py::test_public_photo_by_token_serves_only_that_photo"
    ),
    "/api/PlaceDescriptionPhotos/{access_token}/thumbnail": (
        "tests/places/test_photos.py::test_public_thumbnail_by_token"
    ),
}
