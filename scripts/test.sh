#!/usr/bin/env bash
# Runs the whole test suite (lint, migrations check, pytest). Uses DATABASE_URL / REDIS_URL when
# set (PostgreSQL + a real Celery worker for the async tests), else the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE=answerpal.settings.test
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/python manage.py makemigrations --check --dry-run > /dev/null || {
  echo "Model changes without a migration: run 'python manage.py makemigrations'." >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
