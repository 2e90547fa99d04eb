"""Admin login: only platform operators (no customer) authenticate with the Django backend."""

from django.contrib.auth.backends import ModelBackend


class OperatorBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.customer_id is None and user.deleted_at is None
