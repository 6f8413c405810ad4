from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError
from guanxi.core.forms import report_error
from guanxi.core.permissions import require

from . import selectors, services
from .models import ApprovalPolicy, ApprovalStep


@require("approvals.view")
def inbox(request):
    return render(request, "approvals/inbox.html", {
        "waiting": services.inbox(request.user), "mine": services.mine(request.user),
    })


@require("approvals.view")
def detail(request, pk):
    approval = services.visible(request.user, pk)
    if approval is None:
        raise Http404
    return render(request, "approvals/detail.html", {
        "approval": approval, "may_decide": services.may_decide(request.user, approval),
        "decisions": approval.decisions.select_related("approver", "step"),
        "step": approval.current_step,
    })


@require("approvals.view")
@require_POST
def decide(request, pk):
    approval = services.visible(request.user, pk)
    if approval is None:
        raise Http404
    try:
        if request.POST.get("action") == "withdraw":
            services.approval_withdraw(actor=request.user, request=approval)
            messages.success(request, _("Withdrawn."))
        else:
            approve = request.POST.get("action") == "approve"
            services.approval_decide(actor=request.user, request=approval, approve=approve,
                                     comment=request.POST.get("comment", ""))
            messages.success(request, _("Approved.") if approve else _("Rejected."))
    except DomainError as exc:
        report_error(request, exc)
    return redirect("approvals:detail", pk=pk)


class StepForm(forms.ModelForm):
    class Meta:
        model = ApprovalStep
        fields = ["position", "name", "min_amount", "approver_kind", "role"]


StepFormSet = forms.inlineformset_factory(ApprovalPolicy, ApprovalStep, form=StepForm, extra=2, can_delete=True)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = ApprovalPolicy
        fields = ["name", "is_active"]
        labels = {"name": gettext_lazy("Name")}


@require("approvals.manage")
def policies(request):
    return render(request, "approvals/policies.html", {"rows": selectors.flows()})


@require("approvals.manage")
def policy_edit(request, doc_type):
    policy = selectors.blank_policy(doc_type)
    if policy is None:
        raise Http404
    form = PolicyForm(request.POST or None, instance=policy)
    steps = StepFormSet(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        services.policy_save(actor=request.user, form=form, steps=steps)
        messages.success(request, _("Approval flow saved."))
        return redirect("approvals:policies")
    return render(request, "approvals/policy_form.html", {"form": form, "steps": steps, "policy": policy})
