"""Global search: each app registers a provider that searches within the user's scope."""

from dataclasses import dataclass


@dataclass
class SearchHit:
    label: str
    url: str
    kind: str
    detail: str = ""


_providers = []


def register(provider, *, permission):
    """Register ``provider(user, q, limit) -> list[SearchHit]`` behind a permission."""
    _providers.append((permission, provider))


def search_all(user, q, limit=5):
    q = (q or "").strip()
    if len(q) < 1:
        return []
    results = []
    for permission, provider in _providers:
        if user.has_module_perm(permission):
            results.extend(provider(user, q, limit))
    return results
