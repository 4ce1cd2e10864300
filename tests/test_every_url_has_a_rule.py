"""A new page cannot skip its access rule: every URL of the product is in some app's table."""

from importlib import import_module

from django.urls import URLPattern, URLResolver, get_resolver

APPS = [
    "salesops",
    "campaigns",
    "review",
    "agents",
    "agents.delivery",
    "agents.outreach",
    "agents.meetings",
    "agents.conversations",
    "agents.insights",
]
THIRD_PARTY = ("admin",)


def _declared_rules() -> set[str]:
    declared: set[str] = set()
    for app in APPS:
        try:
            module = import_module(f"{app}.tests.test_access")
        except ModuleNotFoundError:
            continue
        declared |= set(getattr(module, "URL_RULES", {}))
        declared |= set(getattr(module, "PUBLIC_URLS", {}))
    return declared


def _product_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in THIRD_PARTY or pattern.urlconf_name == "allauth.urls":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _product_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            module = getattr(pattern.callback, "__module__", "")
            if module.split(".")[0] in APPS:
                yield f"{namespace}{pattern.name}"


def test_every_url_of_the_product_has_an_access_rule():
    missing = set(_product_url_names()) - _declared_rules()
    assert not missing, f"Add these URLs to their app's tests/test_access.py URL_RULES: {sorted(missing)}"
