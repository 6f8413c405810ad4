"""Reads of approval flows (the screens and the API read through these)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ApprovalPolicy
from .services import policy_doc_types


@dataclass
class FlowRow:
    doc_type: str
    policy: ApprovalPolicy  # unsaved (no steps, inactive) while the flow was never set up
    steps: list


def flows() -> list[FlowRow]:
    """Every kind of document that asks for approval, with its flow as set up (or a blank
    one): read-only, whatever has been set up so far."""
    known = policy_doc_types()
    saved = {p.doc_type: p for p in ApprovalPolicy.objects.filter(doc_type__in=list(known))
             .prefetch_related("steps__role")}
    rows = []
    for code, doc_type in known.items():
        policy = saved.get(code)
        blank = ApprovalPolicy(doc_type=code, name=str(doc_type.label), is_active=False)
        rows.append(FlowRow(code, policy or blank, list(policy.steps.all()) if policy else []))
    return rows


def blank_policy(code: str) -> ApprovalPolicy | None:
    """The flow of ``code`` as set up, or an unsaved blank one; None for an unknown kind."""
    doc_type = policy_doc_types().get(code)
    if doc_type is None:
        return None
    return (ApprovalPolicy.objects.filter(doc_type=code).first()
            or ApprovalPolicy(doc_type=code, name=str(doc_type.label), is_active=False))
