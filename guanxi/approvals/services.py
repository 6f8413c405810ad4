"""Start, decide and withdraw approvals. Modules register what happens on a decision."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.notifications import notify
from guanxi.core.permissions import ensure
from guanxi.core.services import service
from guanxi.core.transitions import transition
from guanxi.org.models import User

from .models import (
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
)


@dataclass
class DocType:
    code: str
    label: str
    on_decided: Callable  # (request) -> None, called in the deciding transaction
    policy_of: str  =  ""  # decided by the flow of this other document type (one flow, two documents)

    @property
    def policy_code(self) -> str:
        return self.policy_of or self.code


_doc_types: dict[str, DocType]  =  {}


# An approval is decided once: approved, rejected or withdrawn.
APPROVAL_TRANSITIONS = {
    ApprovalStatus.PENDING: {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.CANCELLED},
}


def register(code: str, label: str, on_decided: Any, *, policy_of: Any = "") -> None:
    _doc_types[code] = DocType(code, label, on_decided, policy_of)


def doc_types() -> dict[Any, Any]:
    return dict(_doc_types)


def policy_doc_types() -> dict[Any, Any]:
    """The document types with a flow of their own (the ones administrators set up)."""
    return {code: doc_type for code, doc_type in _doc_types.items() if not doc_type.policy_of}


def approvers_for(request: ApprovalRequest, step: ApprovalStep) -> list[Any]:
    """Everyone who may decide ``step`` of ``request``."""

    requester = request.requester
    active = User.objects.filter(is_active=True).exclude(pk=requester.pk)
    if step.approver_kind == ApproverKind.MANAGER:
        return list(active.filter(pk=requester.manager_id))  # type: ignore[misc]
    if step.approver_kind == ApproverKind.DEPARTMENT_HEAD:
        manager_id = requester.department.manager_id if requester.department else None  # type: ignore[misc]
        return list(active.filter(pk=manager_id))  # type: ignore[misc]
    if step.approver_kind == ApproverKind.BRANCH_HEAD:
        return list(active.filter(pk=request.branch.head_id))  # type: ignore[misc]
    if step.role_id is None:
        return []
    holders = active.filter(roles=step.role_id)
    if step.role.data_scope == "all":  # type: ignore[union-attr]
        return list(holders)
    return list(holders.filter(branch_id=request.branch_id))


def is_approver(user: User, request: ApprovalRequest, step: ApprovalStep) -> bool:
    """Whether ``user`` is among ``approvers_for(request, step)``, read from what is loaded
    (the requester with its department, the branch, the step's role): no query of its own."""
    if not user.is_active or user.pk == request.requester_id:
        return False
    requester = request.requester
    if step.approver_kind == ApproverKind.MANAGER:
        return requester.manager_id == user.pk
    if step.approver_kind == ApproverKind.DEPARTMENT_HEAD:
        return bool(requester.department_id) and requester.department.manager_id == user.pk  # type: ignore[union-attr]
    if step.approver_kind == ApproverKind.BRANCH_HEAD:
        return request.branch.head_id == user.pk
    if step.role_id is None or step.role_id not in {role.pk for role in user.role_list}:
        return False
    return step.role.data_scope == "all" or user.branch_id == request.branch_id  # type: ignore[union-attr]


def may_decide(user: User, request: ApprovalRequest) -> bool:
    step = request.current_step
    return step is not None and is_approver(user, request, step)


def _notify_approvers(request: ApprovalRequest) -> None:
    step = request.current_step
    for approver in approvers_for(request, step):
        notify(approver, kind="approvals.waiting",
               title=_("Approval needed: %(what)s") % {"what": request.label},
               body=_("%(who)s asks; amount ¥%(amount)s; step: %(step)s") % {
                   "who": request.requester.display_name, "amount": request.amount, "step": str(step)},
               url=request.get_absolute_url(), email=True, dedupe_key=f"approval:{request.pk}:{request.current}")


@service
def approval_start(*, actor: User, doc_type: str, object_id: int, amount: Decimal, label: str, url: str = "") -> ApprovalRequest:
    """Submit a document for approval. Returns the request; when no step applies the
    request is approved at once (and ``on_decided`` runs)."""
    if doc_type not in _doc_types:
        raise Conflict(_("Nothing is known about approving this kind of document."))
    known = _doc_types[doc_type]
    policy = ApprovalPolicy.objects.filter(doc_type=known.policy_code, is_active=True).first()
    steps = [] if policy is None else list(policy.steps.filter(min_amount__lte=amount).order_by("position"))
    if policy is None:
        policy, _created = ApprovalPolicy.objects.get_or_create(
            doc_type=known.policy_code, defaults={"name": str(_doc_types[known.policy_code].label),
                                                  "is_active": False})
    try:
        with transaction.atomic():
            request = ApprovalRequest.objects.create(  # type: ignore[misc]
                policy=policy, doc_type=doc_type, object_id=object_id, label=str(label)[:200], url=url,
                amount=amount, requester=actor, branch_id=actor.branch_id, steps=[s.pk for s in steps],
            )
    except IntegrityError as exc:
        raise Conflict(_("This document is already waiting for approval.")) from exc
    if not steps:
        request = transition(request, ApprovalStatus.APPROVED, actor, _("No approval step applies"),
                             changes={"decided_at": timezone.now()})
        _doc_types[doc_type].on_decided(request)
        return request
    if not approvers_for(request, steps[0]):
        raise Conflict(_("Nobody can approve the step “%(step)s” for you; ask an administrator.") % {
            "step": steps[0].name})
    _notify_approvers(request)
    return request


@service
def approval_decide(*, actor: User, request: ApprovalRequest, approve: bool, comment: str = "") -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ApprovalStatus.PENDING:
        raise Conflict(_("This approval was decided already."))
    step = request.current_step
    if not any(a.pk == actor.pk for a in approvers_for(request, step)):
        raise Forbidden(_("It is not for you to decide this step."))
    if not approve and not (comment or "").strip():
        raise ValidationFailed(_("Say why you reject it."), field="comment")
    ApprovalDecision.objects.create(request=request, step=step, approver=actor, approved=bool(approve),
                                    comment=(comment or "").strip()[:500])
    if approve and request.current + 1 < len(request.steps):
        request.current += 1
        request.save(update_fields=["current"])
        _notify_approvers(request)
        return request
    request = transition(request, ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED, actor,
                         (comment or "").strip(), changes={"decided_at": timezone.now()})
    notify(request.requester, kind="approvals.decided",
           title=(_("Approved: %(what)s") if approve else _("Rejected: %(what)s")) % {"what": request.label},
           body=comment, url=request.url or request.get_absolute_url(), email=True)
    _doc_types[request.doc_type].on_decided(request)
    return request


@service
def approval_withdraw(*, actor: User, request: ApprovalRequest) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.requester_id != actor.pk:
        raise Forbidden()
    if request.status != ApprovalStatus.PENDING:
        raise Conflict(_("This approval was decided already."))
    request = transition(request, ApprovalStatus.CANCELLED, actor, changes={"decided_at": timezone.now()})
    _doc_types[request.doc_type].on_decided(request)
    return request


def approval_decider(request: ApprovalRequest) -> Any:
    """Who decided the request last (the requester when it needed nobody or was withdrawn)."""
    decision = request.decisions.select_related("approver").order_by("-pk").first()
    return decision.approver if decision is not None else request.requester


def approval_comment(request: ApprovalRequest) -> str:
    """The decision's comment, else the request's outcome in words, for a history row."""
    decision = request.decisions.order_by("-pk").first()
    return (decision.comment if decision is not None and decision.comment else
            _("Approval: %(status)s") % {"status": request.get_status_display()})


def decision_applied(request: ApprovalRequest, model: Any, *, pending: str, approved: str, rejected: str) -> None:
    """What a document does when its approval is decided (called in the deciding
    transaction): the record, locked, moves from ``pending`` to ``approved`` or
    ``rejected``, by who decided and with their comment; a record gone or no longer
    pending is left alone."""
    record = model.objects.select_for_update().filter(pk=request.object_id).first()
    if record is None or record.status != pending:
        return
    transition(record, approved if request.status == "approved" else rejected, approval_decider(request),
               approval_comment(request))


def latest_for(doc_type: str | Iterable[str], object_id: int) -> ApprovalRequest | None:
    """The newest approval request of a document (of any of ``doc_type``'s kinds, one query)."""
    kinds = [doc_type] if isinstance(doc_type, str) else list(doc_type)
    return ApprovalRequest.objects.filter(doc_type__in=kinds, object_id=object_id).order_by("-created_at",
                                                                                             "-pk").first()


def inbox(user: User) -> list[Any]:
    """Pending requests the user may decide now."""
    pending = list(ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).select_related(
        "requester__department", "branch").order_by("created_at")[:500])
    current = {r.pk: r.steps[r.current] for r in pending if r.current < len(r.steps)}
    steps = ApprovalStep.objects.select_related("role").in_bulk(set(current.values()))
    return [r for r in pending if r.pk in current and current[r.pk] in steps
            and is_approver(user, r, steps[current[r.pk]])]


def mine(user: User, limit: int = 50) -> list[Any]:
    return list(ApprovalRequest.objects.filter(requester=user).order_by("-created_at")[:limit])


def visible(user: User, pk: int) -> ApprovalRequest | None:
    """A request the user asked for, decided or may decide; else None."""
    request = ApprovalRequest.objects.select_related("requester__department", "branch", "policy").filter(pk=pk).first()
    if request is None:
        return None
    if request.requester_id == user.pk or request.decisions.filter(approver=user).exists() or may_decide(user, request):
        return request
    return None


@service
def policy_save(*, actor: User, form: Any, steps: Any) -> Any:
    """Save an approval flow and its steps (both validated forms), in one transaction; the
    flow of a kind never set up is created here."""
    ensure(actor, "approvals.manage")
    policy = form.save()
    steps.instance = policy
    steps.save()
    return policy
