"""What every service shares: one transaction and the acting user on the audit trail."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import NotFound, ValidationFailed
from .models import SavedView

if TYPE_CHECKING:
    from guanxi.org.models import User


def service(func: Any) -> Callable[..., Any]:
    """Run a write in one transaction with ``actor`` recorded on every audit entry.

    Services are keyword-only and take ``actor``; Django validation errors become
    ValidationFailed so views and the API report them the same way.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, actor: User, **kwargs: Any) -> Any:
        try:
            with transaction.atomic(), set_actor(actor):
                return func(*args, actor=actor, **kwargs)
        except ValidationError as exc:
            raise ValidationFailed.from_django(exc) from exc

    return wrapper


def validated_save(instance: Any, **kwargs: Any) -> Any:
    """Validate with the model's rules, then save (the one place services save)."""
    instance.full_clean(validate_unique=True)
    instance.save(**kwargs)
    return instance


@service
def saved_view_save(*, actor: User, list_key: str, name: str, query: str = "", is_shared: bool = False) -> SavedView:
    """Save the current filters under a name (replacing the user's view of that name)."""

    view, _created = SavedView.objects.update_or_create(
        owner=actor, list_key=list_key, name=name, defaults={"query": query.lstrip("?"), "is_shared": is_shared}
    )
    return view


@service
def saved_view_delete(*, actor: User, view: Any) -> None:
    if view.owner_id != actor.pk:
        raise NotFound()
    view.delete()


def assign_fields(instance: Any, allowed: Any, data: dict[str, Any]) -> Any:
    """Set ``data`` on ``instance``; a field outside ``allowed`` is a validation error.

    This is the mass-assignment guard: owner, branch, amounts and flags are never in
    ``allowed`` and are set by services' own rules.
    """

    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationFailed(
            errors=[{"field": name, "message": _("This field cannot be changed here.")} for name in sorted(unknown)]
        )
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


def soft_delete(instance: Any, *, actor: User) -> None:
    """Move a record to the recycle bin (audited as an update of ``deleted_at``)."""

    instance.deleted_at = timezone.now()
    instance.deleted_by = actor
    instance.save(update_fields=["deleted_at", "deleted_by"])


def soft_restore(instance: Any) -> Any:
    instance.deleted_at = None
    instance.deleted_by = None
    instance.save(update_fields=["deleted_at", "deleted_by"])
    return instance
