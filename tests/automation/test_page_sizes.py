"""The web app fetches "all" topics, actions and documents with pageSize=1000 (frontend.md)."""

import pytest

from tests.automation.factories import ActionFactory, TopicFactory
from tests.documents.factories import DocumentFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "factory"),
    [("/api/topics", TopicFactory), ("/api/actions", ActionFactory), ("/api/documents", DocumentFactory)],
)
def test_configuration_lists_return_all_up_to_1000(admin_client, customer, path, factory):
    factory.create_batch(105, customer=customer)
    body = admin_client.get(path, {"pageSize": 1000, "sortBy": "name", "sortOrder": "asc"}).json()
    assert body["totalCount"] == 105
    assert len(body["items"]) == 105
    assert body["totalPages"] == 1
