"""Screens for commissions and pay (SAL-9): rules, the salary sheet finance fills, the
monthly statements, and each salesperson's own pay page."""

import datetime

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError
from guanxi.core.forms import act
from guanxi.core.periods import add_months, month_start
from guanxi.core.permissions import require
from guanxi.org.scopes import record_in_scope
from guanxi.sales.models import CommissionRule, CommissionStatement, SalaryEntry

from . import commissions
from .forms_pay import CommissionRuleForm, tiers_from_post


def _month(request, default_back=1):
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return month_start(datetime.date.fromisoformat(f"{raw}-01"))
    except ValueError:
        return add_months(month_start(timezone.localdate()), -default_back)


def _errors(exc):
    return [e["message"] for e in exc.errors] or [exc.message]


@require("sales.commissions")
def rule_list(request):
    rules = CommissionRule.objects.select_related("branch").prefetch_related("tiers").order_by("-is_active", "name")
    return render(request, "finance/commission_rules.html", {"rules": rules})


@require("sales.commissions")
def rule_edit(request, pk=None):
    rule = get_object_or_404(CommissionRule, pk=pk) if pk else None
    initial = {"name": rule.name, "branch": rule.branch, "basis": rule.basis, "method": rule.method,
               "is_active": rule.is_active} if rule else {"is_active": True}
    form = CommissionRuleForm(request.POST or None, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = commissions.commission_rule_save(actor=request.user, rule=rule, tiers=tiers_from_post(request.POST),
                                                     **form.cleaned_data)
            messages.success(request, _("Commission rule saved."))
            return redirect("finance:commission_rule_edit", pk=saved.pk)
        except DomainError as exc:
            errors = _errors(exc)
    tiers = [(t.threshold, t.rate_percent) for t in rule.tiers.all()] if rule else [(0, "")]
    if request.method == "POST":
        tiers = tiers_from_post(request.POST)
    rows = [(i, *(tiers[i - 1] if i <= len(tiers) else ("", ""))) for i in range(1, 7)]
    return render(request, "finance/commission_rule_form.html", {"form": form, "rule": rule, "rows": rows,
                                                               "errors": errors})


@require("sales.commissions")
def salary_sheet(request):
    """Finance's sheet for a month: one row per salesperson in scope."""
    month = _month(request)
    people = [u for u in commissions.salespeople() if record_in_scope(request.user, u.pk, u.branch_id)]
    entries = {e.user_id: e for e in SalaryEntry.objects.filter(month=month, user__in=people)}
    errors = []
    if request.method == "POST":
        try:
            with transaction.atomic():
                for user in people:
                    values = {f: request.POST.get(f"{f}_{user.pk}", "").strip() for f in
                              ("base_salary", "allowance", "bonus", "deductions")}
                    if any(values.values()) or user.pk in entries:
                        commissions.salary_set(actor=request.user, user=user, month=month, **values)
            messages.success(request, _("Salaries saved."))
            return redirect(f"{request.path}?month={month:%Y-%m}")
        except DomainError as exc:
            errors = _errors(exc)
    return render(request, "finance/salary_sheet.html", {
        "month": month, "rows": [(u, entries.get(u.pk)) for u in people], "errors": errors,
        "previous": add_months(month, -1), "next": add_months(month, 1),
    })


@require("sales.commissions")
def statement_list(request):
    month = _month(request)
    statements = list(commissions.statements_visible_to(request.user).filter(month=month)
                      .order_by("branch__name", "user__display_name"))
    return render(request, "finance/statements.html", {
        "month": month, "statements": statements, "previous": add_months(month, -1), "next": add_months(month, 1),
        "total_commission": sum(s.commission for s in statements),
    })


@require("sales.commissions")
@require_POST
def statement_generate(request):
    month = _month(request)
    back = f"{reverse('finance:statement_list')}?month={month:%Y-%m}"
    return act(request, lambda: commissions.statements_generate(actor=request.user, month=month),
               done=lambda made: _("%(n)d statements computed.") % {"n": len(made)}, back=back)


def _statement(request, pk):
    """One's own statement, or one in scope for those who manage pay."""
    statement = commissions.statements_visible_to(request.user).filter(pk=pk).first()
    if statement is None or (statement.user_id != request.user.pk
                             and not request.user.has_module_perm("sales.commissions")):
        raise Http404
    return statement


@require("sales.view")
def statement_detail(request, pk):
    statement = _statement(request, pk)
    return render(request, "finance/statement_detail.html", {
        "statement": statement, "can_confirm": request.user.has_module_perm("sales.commissions")
        and statement.is_draft,
    })


@require("sales.commissions")
@require_POST
def statement_confirm(request, pk):
    statement = _statement(request, pk)
    return act(request, lambda: commissions.statement_confirm(actor=request.user, statement=statement),
               done=_("Statement confirmed."), back=statement)


@require("sales.view")
def my_pay(request):
    """A salesperson's own salary, commission and expenses, month by month."""

    statements = list(CommissionStatement.objects.filter(user=request.user).order_by("-month")[:24])
    this_month = month_start(timezone.localdate())
    rule = commissions.rule_for(request.user.branch_id)
    basis = commissions.basis_of(request.user, this_month, rule.basis) if rule else None
    estimate = commissions.commission_for(basis, [(t.threshold, t.rate_percent) for t in rule.tiers.all()],
                                          rule.method) if rule else None
    return render(request, "finance/my_pay.html", {
        "statements": statements, "rule": rule, "basis": basis, "estimate": estimate, "this_month": this_month,
    })
