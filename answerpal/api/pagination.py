"""The paging envelope every list answers with: {items, totalCount, totalPages}."""

import math

from django.db.models import Count, Window
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from answerpal.api.filters import BIGINT_MAX


def _positive_int(raw, default: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return value


WINDOW_TOTAL = "paged_total_count"


def page_with_count(queryset, offset: int, limit: int, total: int | None = None) -> tuple[list, int]:
    """One page and the exact total from two queries (a count, then the page unless it lies past the end); a
    caller that already knows the total passes it and saves the count."""
    if total is None:
        total = queryset.count()
    return (list(queryset[offset : offset + limit]) if offset < total else []), total


def page_with_window_count(queryset, offset: int, limit: int) -> tuple[list, int]:
    """One page and the exact total in ONE query (`COUNT(pk) OVER ()`): every match is visited once, so it pays
    off when the filter selects few rows (a trigram search); with many matches two queries are cheaper, since the
    page alone stops early on an ordered index. The filter on the window makes Django select from a subquery,
    which keeps PostgreSQL from walking that ordered index to its end under LIMIT. Model rows keep the total as an
    attribute, values() rows lose the key; past the end (empty page) the total is a plain count. A DISTINCT or
    grouped queryset (the window would count before DISTINCT/GROUP BY) is paged with count + page instead."""
    if queryset.query.distinct or queryset.query.group_by is not None:
        return page_with_count(queryset, offset, limit)
    annotated = queryset.annotate(**{WINDOW_TOTAL: Window(Count("pk"))}).filter(**{f"{WINDOW_TOTAL}__gt": 0})
    rows = list(annotated[offset : offset + limit])
    if not rows:
        return [], queryset.count() if offset else 0
    first = rows[0]
    total = first[WINDOW_TOTAL] if isinstance(first, dict) else getattr(first, WINDOW_TOTAL)
    if isinstance(first, dict):
        for row in rows:
            del row[WINDOW_TOTAL]
    return rows, total


class PagedResult(BasePagination):
    """pageNumber (≥1) and pageSize (clamped to 1..max_page_size); views may set
    `default_page_size`, `max_page_size`, `count_queryset(queryset)` (a cheaper exact count) and
    `page_with_total(queryset, offset, limit)` returning `(rows, total)` in one query (e.g. with
    `page_with_window_count`) or None to page with the count as usual."""

    default_page_size = 10
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        default_size = getattr(view, "default_page_size", self.default_page_size)
        max_size = getattr(view, "max_page_size", self.max_page_size)
        self.page_size = min(max(1, _positive_int(request.query_params.get("pageSize"), default_size)), max_size)
        # Clamped like pageSize, so the OFFSET fits a 64-bit integer (a page that far is empty anyway).
        last_page = BIGINT_MAX // self.page_size
        self.page_number = min(max(1, _positive_int(request.query_params.get("pageNumber"), 1)), last_page)
        start = (self.page_number - 1) * self.page_size
        pager = getattr(view, "page_with_total", None)
        paged = pager(queryset, start, self.page_size) if pager else None
        if paged is not None:
            rows, self.total_count = paged
            return list(rows)
        counter = getattr(view, "count_queryset", None)
        total = counter(queryset) if counter else None
        rows, self.total_count = page_with_count(queryset, start, self.page_size, total)
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "items": data,
                "totalCount": self.total_count,
                "totalPages": math.ceil(self.total_count / self.page_size) if self.total_count else 0,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["items", "totalCount", "totalPages"],
            "properties": {
                "items": schema,
                "totalCount": {"type": "integer", "example": 42},
                "totalPages": {"type": "integer", "example": 5},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "pageNumber",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "default": 1},
                "description": "1-based page number.",
            },
            {
                "name": "pageSize",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": getattr(view, "max_page_size", self.max_page_size),
                    "default": getattr(view, "default_page_size", self.default_page_size),
                },
                "description": "Items per page; values outside the range are clamped.",
            },
        ]
