"""The registry of modules and actions that job roles grant (ORG-4).

Each app registers its module in ``AppConfig.ready``; roles store ``"module.action"``
codes. Views and API endpoints declare the code they need (see ``require``).
"""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve

from .errors import Forbidden

PUBLIC = "public"
AUTHENTICATED = "authenticated"


@dataclass
class Module:
    code: str
    label: str
    actions: dict = field(default_factory=dict)


_modules: dict[str, Module] = {}


def register_module(code, label, actions):
    _modules[code] = Module(code, label, dict(actions))


def modules():
    return list(_modules.values())


def all_codes():
    return {f"{m.code}.{action}" for m in _modules.values() for action in m.actions}


def is_known(code):
    return code in all_codes()


def require(code):
    """Declare and enforce the permission a function view needs.

    ``PUBLIC`` needs nothing, ``AUTHENTICATED`` a logged-in user, anything else a
    ``module.action`` code granted by one of the user's roles.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            return check(request, code) or view(request, *args, **kwargs)

        wrapper.guanxi_permission = code
        return wrapper

    return decorator


def allows(user, code):
    """Return whether ``user`` holds ``code`` (``PUBLIC``, ``AUTHENTICATED`` or ``module.action``)."""
    if code == PUBLIC:
        return True
    if code is None or user is None or not user.is_authenticated:
        return False
    return code == AUTHENTICATED or user.has_module_perm(code)


def check(request, code):
    """Return a login redirect, raise PermissionDenied, or return None when allowed."""
    from django.contrib.auth.views import redirect_to_login

    if code == PUBLIC:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not allows(request.user, code):
        raise PermissionDenied
    return None


def declared_permission(callback):
    """Return the code a view callback declares (``require``, ``PermissionMixin`` or a list spec)."""
    view_class = getattr(callback, "view_class", None)
    spec = getattr(callback, "view_initkwargs", {}).get("spec")
    if spec is not None:
        return spec.permission or None
    if view_class is not None:
        return getattr(view_class, "permission", None)
    return getattr(callback, "guanxi_permission", None)


def may_open(user, url):
    """Return whether the view at ``url`` lets ``user`` in: the very check the view makes,
    so menus, buttons and links never offer a page that answers 403."""
    if not url:
        return False
    try:
        match = resolve(urlsplit(str(url)).path)
    except Resolver404:
        return False
    return allows(user, declared_permission(match.func))


class PermissionMixin:
    """The class-based-view counterpart of ``require``: set ``permission``."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.permission is None:
            raise PermissionDenied
        return check(request, self.permission) or super().dispatch(request, *args, **kwargs)


def ensure(actor, code):
    """Raise Forbidden unless ``actor`` holds ``code`` (services call this before writing)."""

    if actor is None or not actor.has_module_perm(code):
        raise Forbidden()
