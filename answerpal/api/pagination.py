"""The paging envelope every list answers with: {items, totalCount, totalPages}."""

import math

from rest_framework.pagination import BasePagination
from rest_framework.response import Response


def _positive_int(raw, default: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return value


class PagedResult(BasePagination):
    """pageNumber (≥1) and pageSize (clamped to 1..max_page_size); views may set
    `default_page_size`, `max_page_size` and `count_queryset(queryset)` (a cheaper exact count)."""

    default_page_size = 10
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        default_size = getattr(view, "default_page_size", self.default_page_size)
        max_size = getattr(view, "max_page_size", self.max_page_size)
        self.page_number = max(1, _positive_int(request.query_params.get("pageNumber"), 1))
        self.page_size = min(max(1, _positive_int(request.query_params.get("pageSize"), default_size)), max_size)
        counter = getattr(view, "count_queryset", None)
        self.total_count = counter(queryset) if counter else queryset.count()
        start = (self.page_number - 1) * self.page_size
        if start >= self.total_count:
            return []
        return list(queryset[start : start + self.page_size])

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
