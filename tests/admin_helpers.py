"""Helpers the apps' Django admin tests share."""

from django.test import Client

from accounts.models import CustomerRep


def operator_login() -> Client:
    """A test client logged in to the Django admin as a platform operator (a new superuser "root")."""
    operator = CustomerRep.objects.create_superuser("root", "Root-pass-123", email="root@example.com")
    client = Client()
    client.force_login(operator)
    return client
