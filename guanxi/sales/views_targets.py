"""Screens for targets (SAL-8) and deliveries due (SAL-6)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.core.permissions import require
from guanxi.org.models import Branch, User
from guanxi.org.scopes import departments_in_scope, record_in_scope

from .deliveries import deliveries_due
from .forms import TargetForm, months_from_post
from .models import Target, TargetLevel
from .targets import progress_for, targets_set_year, targets_visible_to


def _year(request):
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@require("sales.view")
def target_list(request):
    year = _year(request)
    level = request.GET.get("level") if request.GET.get("level") in TargetLevel.values else None
    targets = targets_visible_to(request.user).filter(year=year, month=0)
    if level:
        targets = targets.filter(level=level)
    targets = list(targets.order_by("level", "branch__name", "department__path", "user__display_name"))
    return render(request, "sales/targets.html", {
        "year": year, "years": range(year - 2, year + 2), "level": level, "levels": TargetLevel.choices,
        "rows": progress_for(request.user, targets, year),
        "can_set": request.user.has_module_perm("sales.targets"),
    })


@require("sales.view")
def target_detail(request, pk):
    """One subject's year, month by month."""
    yearly = targets_visible_to(request.user).filter(pk=pk).first()
    if yearly is None:
        raise Http404
    months = list(targets_visible_to(request.user).filter(subject_key=yearly.subject_key, year=yearly.year)
                  .order_by("month"))
    rows = progress_for(request.user, months, yearly.year)
    return render(request, "sales/target_detail.html", {
        "yearly": next((r for r in rows if r.target.month == 0), None),
        "months": [r for r in rows if r.target.month], "target": yearly,
        "can_set": request.user.has_module_perm("sales.targets"),
    })


def _subjects(user, level):
    """The branches, departments or people whose targets the user may set."""
    if level == TargetLevel.BRANCH:
        return [b for b in Branch.objects.order_by("name") if record_in_scope(user, None, b.pk)]
    if level == TargetLevel.DEPARTMENT:
        return list(departments_in_scope(user).select_related("branch").order_by("branch__name", "path"))
    return [u for u in User.objects.filter(is_active=True, branch__isnull=False).select_related("department")
            .order_by("branch_id", "department__path", "display_name") if record_in_scope(user, u.pk, u.branch_id)]


@require("sales.targets")
def target_set(request):
    level = request.POST.get("level") or request.GET.get("level") or TargetLevel.PERSON
    if level not in TargetLevel.values:
        level = TargetLevel.PERSON
    subjects = _subjects(request.user, level)
    by_pk = {s.pk: s for s in subjects}
    initial = {"level": level, "year": _year(request), "new_customers": 0}
    existing = {}
    raw_subject = request.GET.get("subject", "")
    if raw_subject.isdigit() and int(raw_subject) in by_pk:
        initial["subject"] = int(raw_subject)
        for target in Target.objects.filter(subject_key=f"{level}:{raw_subject}", year=initial["year"]):
            existing[target.month] = target
        if 0 in existing:
            initial.update(amount=existing[0].amount, new_customers=existing[0].new_customers)
    form = TargetForm(request.POST or None, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        subject = by_pk.get(int(request.POST.get("subject_pick") or 0))
        if subject is None:
            errors.append(_("Choose whose target this is."))
        else:
            try:
                months = months_from_post(request.POST) if request.POST.get("monthly") == "1" else None
                target = targets_set_year(actor=request.user, level=level, subject=subject,
                                          year=form.cleaned_data["year"], amount=form.cleaned_data["amount"],
                                          new_customers=form.cleaned_data.get("new_customers") or 0, months=months)
                messages.success(request, _("Target saved."))
                return redirect("sales:target_detail", pk=target.pk)
            except DomainError as exc:
                errors = [e["message"] for e in exc.errors] or [exc.message]
    month_rows = [(m, existing.get(m)) for m in range(1, 13)]
    return render(request, "sales/target_form.html", {
        "form": form, "level": level, "levels": TargetLevel.choices, "subjects": subjects, "errors": errors,
        "subject_pk": int(request.POST.get("subject_pick") or initial.get("subject") or 0),
        "month_rows": month_rows, "has_months": any(existing.get(m) for m in range(1, 13)),
    })


@require("sales.view")
def deliveries(request):
    overdue, soon = deliveries_due(request.user)
    return render(request, "sales/deliveries.html", {
        "overdue": list(overdue[:200]), "soon": list(soon[:200]), "overdue_count": overdue.count(),
        "soon_count": soon.count(),
    })
