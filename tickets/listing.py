"""How the ticket list pages and counts, chosen per request (the view's `count_queryset` and
`page_with_total` hooks call these).

- Filtered by status/isSpam/isClosed only (or not at all): the exact total comes from TicketCounter.
- `search`, `uid` or `endUserId` (usually few matches): the page and its total come from one windowed query.
  A search that turned out broad (over BROAD_TOTAL matches) is remembered per worker (a bounded memo of the
  filter set; strategy only), so its next pages and re-sorts go back to count + page instead of buffering
  every match again.
- A broad search-only list (no other filter; phone tokens do not list) keeps its exact total in the cache
  under the customer's TicketSearchVersion, which every write changing a subject or UID, or adding or
  deleting a ticket, raises in its own transaction."""

import hashlib

from django.core.cache import cache

from answerpal.api.pagination import page_with_count, page_with_window_count
from tickets import selectors
from tickets.filters import COUNTER_FILTERS

PAGING_PARAMS = frozenset({"pagenumber", "pagesize", "sortby", "sortorder", "sortdirection"})
SELECTIVE_PARAMS = frozenset({"search", "uid", "enduserid"})
BROAD_TOTAL = 5000
BROAD_MEMO_SIZE = 1024
SEARCH_TOTAL_TTL = 3600
_broad_filters: set[tuple] = set()


def ticket_list_count(*, queryset, customer_id: int, query_params, filters: dict, is_phone: bool) -> int:
    """The list's exact total: from TicketCounter when only counter filters are set, else a count."""
    params = {key.lower() for key in query_params} - PAGING_PARAMS
    if is_phone or not params <= COUNTER_FILTERS:
        return queryset.count()
    return selectors.ticket_count_from_counters(
        customer_id=customer_id,
        statuses=filters.get("status") or None,
        is_spam=filters.get("isSpam"),
        is_closed=filters.get("isClosed"),
    )


def ticket_list_page(
    *, queryset, offset: int, limit: int, customer_id: int, channel_id: int | None, query_params, terms: list[str]
) -> tuple[list, int] | None:
    """(rows, total) for a selective list, or None to let the paginator count and page as usual."""
    params = {key.lower() for key in query_params if query_params.get(key, "").strip()}
    selective = params & SELECTIVE_PARAMS
    if not selective:
        return None
    if selective == {"search"} and not any(len(term.strip("\"'")) >= 3 for term in terms):
        return None  # shorter than a trigram: the GIN index does not bound the matches
    filters = sorted(
        (key.lower(), tuple(query_params.getlist(key))) for key in query_params if key.lower() not in PAGING_PARAMS
    )
    memo_key = (customer_id, channel_id, tuple(filters))
    if memo_key in _broad_filters:
        search_only = params - PAGING_PARAMS == {"search"}
        return _broad_page(queryset, offset, limit, customer_id, terms if search_only else None)
    rows, total = page_with_window_count(queryset, offset, limit)
    if total > BROAD_TOTAL:
        if len(_broad_filters) >= BROAD_MEMO_SIZE:
            _broad_filters.clear()
        _broad_filters.add(memo_key)
    return rows, total


def _broad_page(queryset, offset: int, limit: int, customer_id: int, search_terms: list[str] | None):
    """Count + page; the total of a search-only list (`search_terms`) is kept in the cache (SEARCH_TOTAL_TTL)."""
    if search_terms is None:
        return page_with_count(queryset, offset, limit)
    total_key = _search_total_key(customer_id, search_terms)
    total = cache.get(total_key)
    rows, counted = page_with_count(queryset, offset, limit, total)
    if total is None:
        cache.set(total_key, counted, SEARCH_TOTAL_TTL)
    return rows, counted


def _search_total_key(customer_id: int, terms: list[str]) -> str:
    """Cache key of a search-only total: the customer's TicketSearchVersion (read before the count, so a total
    counted while a write commits lands under the version that write replaces) and the terms."""
    version = selectors.ticket_search_version(customer_id=customer_id)
    digest = hashlib.sha256("\x00".join(sorted(terms)).encode()).hexdigest()[:32]
    return f"tickets:search-total:{customer_id}:{version}:{digest}"
