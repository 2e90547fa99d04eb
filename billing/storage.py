"""Registry of storage sources: apps that keep files tell billing how to measure a customer's bytes.

Higher apps (tickets, documents, voice, places) call `register_storage_source(category, fn)` from
their AppConfig.ready(); `fn(customer_id) -> int` returns the bytes that app stores for the customer
in that category. Recalculation sums every registered source, so billing never imports those apps."""

from collections import defaultdict
from collections.abc import Callable

from billing.models import StorageCategory

StorageSource = Callable[[int], int]

_sources: dict[str, list[StorageSource]] = defaultdict(list)


def register_storage_source(category: str, source: StorageSource) -> None:
    """Adds `source` to `category` (attachments, documents, recordings, photos); registering twice is a no-op."""
    if category not in StorageCategory.values:
        raise ValueError(f"Unknown storage category {category!r}; use one of {', '.join(StorageCategory.values)}.")
    if source not in _sources[category]:
        _sources[category].append(source)


def unregister_storage_source(category: str, source: StorageSource) -> None:
    """Removes a source (tests register temporary ones)."""
    if source in _sources.get(category, []):
        _sources[category].remove(source)


def storage_measure(*, customer_id: int) -> dict[str, int]:
    """Bytes per category according to every registered source (0 for a category without sources)."""
    return {
        category: sum(int(source(customer_id)) for source in _sources.get(category, []))
        for category in StorageCategory.values
    }
