from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Access requests, erasure and retention across every app's data (the top floor)."""

    name = "privacy"
    verbose_name = "Data protection"
    default_auto_field = "django.db.models.BigAutoField"
