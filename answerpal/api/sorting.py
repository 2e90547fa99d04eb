"""sortBy / sortOrder: views name the sortable DTO fields; the primary key breaks ties."""

from rest_framework.filters import BaseFilterBackend

from answerpal.api.errors import field_error


class SortFilter(BaseFilterBackend):
    """Views declare `sort_fields = {"dateCreated": "created_at", ...}` and `default_sort`
    (a DTO name); `sortBy` matches any casing, `sortOrder` (or `sortDirection`) is asc/desc."""

    def filter_queryset(self, request, queryset, view):
        fields = getattr(view, "sort_fields", None)
        if not fields or getattr(view, "action", None) != "list":
            return queryset
        lowered = {name.lower(): column for name, column in fields.items()}
        requested = request.query_params.get("sortBy") or getattr(view, "default_sort", next(iter(fields)))
        column = lowered.get(requested.lower())
        if column is None:
            raise field_error("sortBy", f"Cannot sort by '{requested}'; use one of: {', '.join(fields)}.")
        order = request.query_params.get("sortOrder") or request.query_params.get("sortDirection") or ""
        order = order.lower() or getattr(view, "default_sort_order", "asc")
        if order not in {"asc", "desc"}:
            raise field_error("sortOrder", "sortOrder must be 'asc' or 'desc'.")
        prefix = "-" if order == "desc" else ""
        return queryset.order_by(f"{prefix}{column}", f"{prefix}pk")

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "sort_fields", None)
        if not fields:
            return []
        return [
            {
                "name": "sortBy",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": list(fields)},
                "description": "Field to sort by (any casing).",
            },
            {
                "name": "sortOrder",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["asc", "desc"]},
            },
        ]
