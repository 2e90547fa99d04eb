"""ASGI entry point (uvicorn): the web process for the live web chat streams, where an open stream costs no thread
(`uvicorn answerpal.asgi:application`). Everything else behaves as under WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "answerpal.settings.local")
application = get_asgi_application()
