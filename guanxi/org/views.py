"""Administration screens of the organization (ORG-1, ORG-2, ORG-4)."""

from django.contrib import messages
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.forms import run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require

from . import forms, lists, selectors, services

employee_list = ListPageView.as_view(spec=lists.EmployeeList)
department_list = ListPageView.as_view(spec=lists.DepartmentList)
branch_list = ListPageView.as_view(spec=lists.BranchList)
role_list = ListPageView.as_view(spec=lists.RoleList)


def _form_page(request, form, title, cancel_url, *, record=None, danger=None):
    history = history_for(record) if record is not None and record.pk else None
    return render(request, "core/form.html", {
        "form": form, "title": title, "cancel_url": resolve_url(cancel_url), "history": history, "danger": danger,
    })


def _saved(request, message, target):
    messages.success(request, message)
    return redirect(target)


# --- branches ----------------------------------------------------------------------
@require("org.manage")
def branch_create(request):
    form = forms.BranchForm(request.POST or None)
    if request.method == "POST":
        branch = run_service(form, lambda data: services.branch_create(actor=request.user, **data))
        if branch:
            return _saved(request, _("Branch saved."), "org:branch_list")
    return _form_page(request, form, _("New branch"), "org:branch_list")


@require("org.manage")
def branch_edit(request, pk):
    branch = selectors.branch_get(pk)
    form = forms.BranchForm(request.POST or None, instance=branch)
    if request.method == "POST":
        saved = run_service(form, lambda data: services.branch_update(actor=request.user, branch=branch, **data))
        if saved:
            return _saved(request, _("Branch saved."), "org:branch_list")
    return _form_page(request, form, _("Edit branch"), "org:branch_list", record=branch)


# --- departments -------------------------------------------------------------------
@require("org.manage")
def department_create(request):
    form = forms.DepartmentForm(request.POST or None, initial={"branch": request.GET.get("branch")})
    if request.method == "POST":
        department = run_service(form, lambda data: services.department_create(actor=request.user, **data))
        if department:
            return _saved(request, _("Department saved."), "org:department_list")
    return _form_page(request, form, _("New department"), "org:department_list")


@require("org.manage")
def department_edit(request, pk):
    department = selectors.department_get(pk)
    form = forms.DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST":
        saved = run_service(
            form, lambda data: services.department_update(actor=request.user, department=department, **data)
        )
        if saved:
            return _saved(request, _("Department saved."), "org:department_list")
    return _form_page(request, form, _("Edit department"), "org:department_list", record=department)


@require("org.view")
def org_chart(request):
    return render(request, "org/chart.html", {"tree": selectors.tree_of_departments()})


# --- employees ---------------------------------------------------------------------
@require("org.view")
def employee_detail(request, pk):
    employee = selectors.employee_get(pk)
    can_manage = request.user.has_module_perm("org.manage")
    tab = request.GET.get("tab", "details")
    if tab == "history" and not can_manage:
        tab = "details"
    if request.htmx and tab == "history":
        return render(request, "core/_history.html", {"entries": history_for(employee)})
    return render(request, "org/employee_detail.html", {
        "employee": employee, "can_manage": can_manage, "tab": tab,
        "entries": history_for(employee) if tab == "history" else None,
        "deactivate_form": forms.EmployeeDeactivateForm(),
    })


@require("org.manage")
def employee_create(request):
    form = forms.EmployeeCreateForm(request.POST or None)
    if request.method == "POST":
        employee = run_service(form, lambda data: services.employee_create(actor=request.user, **data))
        if employee:
            return _saved(request, _("Employee saved."), employee)
    return _form_page(request, form, _("New employee"), "org:employee_list")


@require("org.manage")
def employee_edit(request, pk):
    employee = selectors.employee_get(pk)
    form = forms.EmployeeEditForm(request.POST or None, instance=employee)
    if request.method == "POST":
        saved = run_service(form, lambda data: services.employee_update(actor=request.user, user=employee, **data))
        if saved:
            return _saved(request, _("Employee saved."), saved)
    return _form_page(request, form, _("Edit employee"), employee.get_absolute_url())


@require("org.manage")
def employee_move(request, pk):
    employee = selectors.employee_get(pk)
    form = forms.EmployeeMoveForm(request.POST or None, instance=employee)
    if request.method == "POST":
        saved = run_service(form, lambda data: services.employee_move(actor=request.user, user=employee, **data))
        if saved:
            return _saved(request, _("Employee moved."), saved)
    return _form_page(request, form, _("Move %(name)s") % {"name": employee}, employee.get_absolute_url())


@require("org.manage")
@require_POST
def employee_deactivate(request, pk):
    employee = selectors.employee_get(pk)
    form = forms.EmployeeDeactivateForm(request.POST)
    result = run_service(
        form, lambda data: services.employee_deactivate(actor=request.user, user=employee, **data)
    )
    if result:
        messages.success(request, _("%(name)s can no longer sign in; their records are kept.") % {"name": employee})
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect(employee)


@require("org.manage")
@require_POST
def employee_reactivate(request, pk):
    employee = selectors.employee_get(pk)
    services.employee_reactivate(actor=request.user, user=employee)
    return _saved(request, _("%(name)s can sign in again.") % {"name": employee}, employee)


@require("org.manage")
def employee_password(request, pk):
    employee = selectors.employee_get(pk)
    form = forms.EmployeePasswordForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            form, lambda data: services.employee_set_password(actor=request.user, user=employee, **data)
        )
        if done:
            return _saved(request, _("Password set."), employee)
    return _form_page(request, form, _("Set a password for %(name)s") % {"name": employee},
                      employee.get_absolute_url())


# --- roles -------------------------------------------------------------------------
@require("org.manage")
def role_create(request):
    form = forms.RoleForm(request.POST or None)
    if request.method == "POST":
        role = run_service(form, lambda data: services.role_create(actor=request.user, **data))
        if role:
            return _saved(request, _("Role saved."), "org:role_list")
    return render(request, "org/role_form.html", {"form": form, "title": _("New job role")})


@require("org.manage")
def role_edit(request, pk):
    role = selectors.role_get(pk)
    form = forms.RoleForm(request.POST or None, instance=role)
    if request.method == "POST":
        def update(data):
            data.pop("code", None)
            return services.role_update(actor=request.user, role=role, **data)

        if run_service(form, update):
            return _saved(request, _("Role saved."), "org:role_list")
    return render(request, "org/role_form.html", {
        "form": form, "title": _("Edit job role"), "role": role, "history": history_for(role),
    })


@require("org.manage")
@require_POST
def role_delete(request, pk):
    role = selectors.role_get(pk)
    from guanxi.core.errors import DomainError

    try:
        services.role_delete(actor=request.user, role=role)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(role)
    return _saved(request, _("Role deleted."), "org:role_list")
