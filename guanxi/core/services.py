"""What every service shares: one transaction and the acting user on the audit trail."""

import functools

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import NotFound, ValidationFailed
from .models import SavedView


def service(func):
    """Run a write in one transaction with ``actor`` recorded on every audit entry.

    Services are keyword-only and take ``actor``; Django validation errors become
    ValidationFailed so views and the API report them the same way.
    """

    @functools.wraps(func)
    def wrapper(*args, actor, **kwargs):
        try:
            with transaction.atomic(), set_actor(actor):
                return func(*args, actor=actor, **kwargs)
        except ValidationError as exc:
            raise ValidationFailed.from_django(exc) from exc

    return wrapper


def validated_save(instance, **kwargs):
    """Validate with the model's rules, then save (the one place services save)."""
    instance.full_clean(validate_unique=True)
    instance.save(**kwargs)
    return instance


@service
def saved_view_save(*, actor, list_key, name, query="", is_shared=False):
    """Save the current filters under a name (replacing the user's view of that name)."""

    view, _created = SavedView.objects.update_or_create(
        owner=actor, list_key=list_key, name=name, defaults={"query": query.lstrip("?"), "is_shared": is_shared}
    )
    return view


@service
def saved_view_delete(*, actor, view):
    if view.owner_id != actor.pk:
        raise NotFound()
    view.delete()


def assign_fields(instance, allowed, data):
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


def soft_delete(instance, *, actor):
    """Move a record to the recycle bin (audited as an update of ``deleted_at``)."""

    instance.deleted_at = timezone.now()
    instance.deleted_by = actor
    instance.save(update_fields=["deleted_at", "deleted_by"])


def soft_restore(instance):
    instance.deleted_at = None
    instance.deleted_by = None
    instance.save(update_fields=["deleted_at", "deleted_by"])
    return instance
