import pytest
from django.core.files.storage import InMemoryStorage, default_storage


@pytest.fixture(autouse=True)
def fresh_storage():
    """An empty storage per test: the storage scan must see this test's files only (a rolled-back test database
    leaves the files of earlier tests behind in the shared in-memory storage)."""
    previous = default_storage._wrapped
    default_storage._wrapped = InMemoryStorage()
    yield default_storage._wrapped
    default_storage._wrapped = previous
