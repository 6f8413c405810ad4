"""The registry of modules and actions that job roles grant (ORG-4).

Each app registers its module in ``AppConfig.ready``; roles store ``"module.action"``
codes. Views and API endpoints declare the code they need (see ``require``).
"""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

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


def check(request, code):
    """Return a login redirect, raise PermissionDenied, or return None when allowed."""
    from django.contrib.auth.views import redirect_to_login

    if code == PUBLIC:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if code != AUTHENTICATED and not request.user.has_module_perm(code):
        raise PermissionDenied
    return None


class PermissionMixin:
    """The class-based-view counterpart of ``require``: set ``permission``."""

    permission = None

    def dispatch(self, request, *args, **kwargs):
        if self.permission is None:
            raise PermissionDenied
        return check(request, self.permission) or super().dispatch(request, *args, **kwargs)


def ensure(actor, code):
    """Raise Forbidden unless ``actor`` holds ``code`` (services call this before writing)."""
    from .errors import Forbidden

    if actor is None or not actor.has_module_perm(code):
        raise Forbidden()
