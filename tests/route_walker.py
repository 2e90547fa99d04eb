"""Enumerates every registered API route, and finds a factory for any model, for the generic tests."""

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cache

import factory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

import tests

_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    regex: str
    view_class: type
    actions: dict  # method -> action name (viewsets) or method -> method (APIView)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.regex)

    @property
    def is_public(self) -> bool:
        return not self.view_class.authentication_classes or any(
            AllowAny in self.view_class.policy_for(action) for action in self.actions.values()
        )

    def path(self, **values) -> str:
        def fill(match):
            return str(values[match.group(1)])

        text = _PARAM.sub(fill, self.regex)
        return "/" + text.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")

    def __str__(self):
        return self.path(**{name: "{" + name + "}" for name in self.params})


def _walk(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, text.rstrip("$"))
        elif isinstance(pattern, URLPattern):
            yield text, pattern.callback


def api_routes() -> list[Route]:
    routes = []
    for regex, callback in _walk(get_resolver()):
        view_class = getattr(callback, "cls", None)
        if not regex.startswith("api/") or view_class is None or regex.startswith(("api/schema", "api/docs")):
            continue
        actions = getattr(callback, "actions", None)
        if actions is None:
            actions = {m: m for m in _METHODS if hasattr(view_class, m)}
        # Skip methods the view refuses (no PATCH on TenantModelViewSet) and the HEAD that DRF adds to the
        # shared actions dict after the first GET (its empty body is not problem+json).
        allowed = set(getattr(view_class, "http_method_names", _METHODS)) & set(_METHODS)
        actions = {method: name for method, name in actions.items() if method in allowed}
        routes.append(Route(regex=regex, view_class=view_class, actions=actions))
    return routes


def _test_modules(name: str):
    for module_info in pkgutil.iter_modules(tests.__path__):
        try:
            yield importlib.import_module(f"tests.{module_info.name}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{module_info.name}.{name}":
                raise


def route_exceptions() -> tuple[dict, dict, dict]:
    """Merges SPECIAL_ROUTES, ANONYMOUS_ALLOWED and PARAM_SAMPLES of every tests/<app>/route_exceptions.py."""
    special, anonymous, samples = {}, {}, {}
    for module in _test_modules("route_exceptions"):
        special.update(getattr(module, "SPECIAL_ROUTES", {}))
        anonymous.update(getattr(module, "ANONYMOUS_ALLOWED", {}))
        samples.update(getattr(module, "PARAM_SAMPLES", {}))
    return special, anonymous, samples


@cache
def factory_registry() -> dict:
    """model class -> the factory named `<Model>Factory` in some tests/<app>/factories.py."""
    registry = {}
    for module in _test_modules("factories"):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                model = value._meta.model
                if model is not None and value.__name__ == f"{model.__name__}Factory":
                    registry[model] = value
    return registry
