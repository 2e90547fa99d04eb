#!/usr/bin/env bash
# One command from a fresh clone to a running AnswerPal on the embedded default:
# installs .venv/, migrates SQLite under var/, creates the demo tenant (login printed), serves :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-answerpal.settings.local}"
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py seed_demo
.venv/bin/python manage.py webwidget_demo
bind="${ANSWERPAL_BIND:-127.0.0.1:8000}"
echo "API: http://$bind/api/  docs: http://$bind/api/docs/  admin: http://$bind/admin/"
echo "Web chat demo (the demo tenant's widget, ask its AI): http://$bind/demo/chat"
exec .venv/bin/python manage.py runserver "$bind"
