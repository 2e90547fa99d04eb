import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; every test starts with a clean budget."""
    cache.clear()
    yield
    cache.clear()
