"""Administration screens of the organization (ORG-1, ORG-2, ORG-4)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from guanxi.core.forms import act, form_page, report_message, run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import PUBLIC, require

from . import forms, lists, selectors, services

employee_list = ListPageView.as_view(spec=lists.EmployeeList)
department_list = ListPageView.as_view(spec=lists.DepartmentList)
branch_list = ListPageView.as_view(spec=lists.BranchList)
role_list = ListPageView.as_view(spec=lists.RoleList)


def _history(record):
    return {"history": history_for(record)}


def _saved(request, message, target):
    messages.success(request, message)
    return redirect(target)


@require(PUBLIC)
def set_language(request):
    """Switch the language (cookie for everyone, saved on the profile when signed in)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"zh-hans", "en"}:
        services.employee_set_language(actor=request.user, user=request.user, language=language)
    return response


# --- branches ----------------------------------------------------------------------
@require("org.manage")
def branch_create(request):
    return form_page(
        request, forms.BranchForm(request.POST or None),
        lambda data: services.branch_create(actor=request.user, **data),
        title=_("New branch"), saved_message=_("Branch saved."),
        success_url="org:branch_list", cancel_url="org:branch_list",
    )


@require("org.manage")
def branch_edit(request, pk):
    branch = selectors.branch_get(pk)
    return form_page(
        request, forms.BranchForm(request.POST or None, instance=branch),
        lambda data: services.branch_update(actor=request.user, branch=branch, **data),
        title=_("Edit branch"), saved_message=_("Branch saved."),
        success_url="org:branch_list", cancel_url="org:branch_list", context=_history(branch),
    )


# --- departments -------------------------------------------------------------------
@require("org.manage")
def department_create(request):
    return form_page(
        request, forms.DepartmentForm(request.POST or None, initial={"branch": request.GET.get("branch")}),
        lambda data: services.department_create(actor=request.user, **data),
        title=_("New department"), saved_message=_("Department saved."),
        success_url="org:department_list", cancel_url="org:department_list",
    )


@require("org.manage")
def department_edit(request, pk):
    department = selectors.department_get(pk)
    return form_page(
        request, forms.DepartmentForm(request.POST or None, instance=department),
        lambda data: services.department_update(actor=request.user, department=department, **data),
        title=_("Edit department"), saved_message=_("Department saved."),
        success_url="org:department_list", cancel_url="org:department_list", context=_history(department),
    )


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
    return form_page(
        request, forms.EmployeeCreateForm(request.POST or None),
        lambda data: services.employee_create(actor=request.user, **data),
        title=_("New employee"), saved_message=_("Employee saved."),
        success_url=lambda employee: employee, cancel_url="org:employee_list",
    )


@require("org.manage")
def employee_edit(request, pk):
    employee = selectors.employee_get(pk)
    return form_page(
        request, forms.EmployeeEditForm(request.POST or None, instance=employee),
        lambda data: services.employee_update(actor=request.user, user=employee, **data),
        title=_("Edit employee"), saved_message=_("Employee saved."),
        success_url=employee, cancel_url=employee,
    )


@require("org.manage")
def employee_move(request, pk):
    employee = selectors.employee_get(pk)
    return form_page(
        request, forms.EmployeeMoveForm(request.POST or None, instance=employee),
        lambda data: services.employee_move(actor=request.user, user=employee, **data),
        title=_("Move %(name)s") % {"name": employee}, saved_message=_("Employee moved."),
        success_url=employee, cancel_url=employee,
    )


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
    return form_page(
        request, forms.EmployeePasswordForm(request.POST or None),
        lambda data: services.employee_set_password(actor=request.user, user=employee, **data),
        title=_("Set a password for %(name)s") % {"name": employee}, saved_message=_("Password set."),
        success_url=employee, cancel_url=employee,
    )


# --- roles -------------------------------------------------------------------------
@require("org.manage")
def role_create(request):
    return form_page(
        request, forms.RoleForm(request.POST or None),
        lambda data: services.role_create(actor=request.user, **data),
        title=_("New job role"), saved_message=_("Role saved."),
        success_url="org:role_list", cancel_url="org:role_list", template="org/role_form.html",
    )


@require("org.manage")
def role_edit(request, pk):
    role = selectors.role_get(pk)

    def update(data):
        data.pop("code", None)
        return services.role_update(actor=request.user, role=role, **data)

    return form_page(
        request, forms.RoleForm(request.POST or None, instance=role), update,
        title=_("Edit job role"), saved_message=_("Role saved."),
        success_url="org:role_list", cancel_url="org:role_list", template="org/role_form.html",
        context={"role": role, **_history(role)},
    )


@require("org.manage")
@require_POST
def role_delete(request, pk):
    role = selectors.role_get(pk)
    return act(request, lambda: services.role_delete(actor=request.user, role=role), done=_("Role deleted."),
               back=role, then="org:role_list", report=report_message)
