from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Place descriptions"

    def ready(self):
        from billing.models import StorageCategory
        from billing.storage import register_storage_source
        from places.selectors import photo_storage_bytes

        register_storage_source(StorageCategory.PHOTOS, photo_storage_bytes)
