"""`search`: a case-insensitive contains-match over the view's `search_fields`."""

from rest_framework.filters import SearchFilter


class TextSearchFilter(SearchFilter):
    search_param = "search"
    search_title = "search"
    search_description = "Text to look for (case-insensitive)."

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)
