from django.apps import AppConfig


class AnswerpalConfig(AppConfig):
    name = "answerpal"
    verbose_name = "AnswerPal platform"

    def ready(self):
        from answerpal.api import schema  # noqa: F401 - registers the OpenAPI auth extension
