"""One way to change a document's status: a declarative table per document type
({from status: {to status, …}}, with an optional permission and guard), and one call,
``transition(obj, to, actor, reason)``, that locks the row, checks the table, saves and
writes a ``StatusChange`` history row, all in one transaction.

Apps register their tables in ``AppConfig.ready``; the status history of any registered
document is read with ``status_history(obj)`` (the ``{% status_history %}`` tag)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict
from .models import StatusChange
from .permissions import ensure


class InvalidTransition(Conflict):
    code = "invalid_transition"


@dataclass(frozen=True)
class Workflow:
    model: type
    table: dict  # {from status: {to status, …}}
    permission: str = ""  # a module permission the actor needs, if any
    guard: Callable | None = None  # (obj, to, actor) -> None, raises a DomainError to refuse
    status_field: str = "status"
    labels: dict = field(default_factory=dict)

    def label(self, status):
        return self.labels.get(status, status)


_workflows: dict[type, Workflow] = {}


def register(model, table, *, permission="", guard=None, status_field="status"):
    """Declare the allowed status changes of ``model``."""
    choices = dict(model._meta.get_field(status_field).choices or ())
    _workflows[model] = Workflow(model, {k: frozenset(v) for k, v in table.items()}, permission, guard,
                                 status_field, choices)


def workflow_for(model_or_obj):
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _workflows[model._meta.concrete_model]


def allowed(obj, to):
    """Whether the table lets ``obj`` move from its status to ``to``."""
    workflow = workflow_for(obj)
    return to in workflow.table.get(getattr(obj, workflow.status_field), ())


def transition(obj, to, actor, reason="", *, changes=None, check_permission=True):
    """Move ``obj`` to status ``to``: lock the row, check the table (and permission and
    guard), set ``changes`` (other fields) too, save, and record who, when and why.
    Returns the locked, saved object. An invalid move raises InvalidTransition (409) and
    changes nothing."""
    workflow = workflow_for(obj)
    with transaction.atomic():
        if check_permission and workflow.permission and actor is not None:
            ensure(actor, workflow.permission)
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, workflow.status_field)
        if to not in workflow.table.get(current, ()):
            raise InvalidTransition(_("A %(document)s that is “%(now)s” cannot become “%(then)s”.") % {
                "document": workflow.model._meta.verbose_name, "now": workflow.label(current),
                "then": workflow.label(to)})
        if workflow.guard is not None:
            workflow.guard(locked, to, actor)
        setattr(locked, workflow.status_field, to)
        fields = [workflow.status_field]
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        if any(f.name == "updated_at" for f in workflow.model._meta.concrete_fields):
            fields.append("updated_at")
        locked.save(update_fields=fields)
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(workflow.model), object_id=locked.pk, from_status=current,
            to_status=to, actor=actor if actor is not None and actor.pk else None, reason=str(reason or "")[:500],
            created_at=timezone.now())
    return locked


@dataclass(frozen=True)
class HistoryRow:
    at: object
    actor: object
    from_label: str
    to_label: str
    reason: str


def status_history(obj):
    """The status changes of ``obj``, oldest first, with the statuses' labels."""
    workflow = workflow_for(obj)
    changes = StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(workflow.model),
                                          object_id=obj.pk).select_related("actor").order_by("created_at", "pk")
    return [HistoryRow(change.created_at, change.actor, workflow.label(change.from_status) if change.from_status
                       else "", workflow.label(change.to_status), change.reason) for change in changes]
