"""Reads of the organization. The directory is visible to every employee with org.view."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from guanxi.core import memo

from .models import Branch, Department, Role, User


def branches() -> QuerySet[Branch]:
    return Branch.objects.select_related("parent", "head").annotate(
        employee_count=Count("employees", filter=Q(employees__is_active=True))
    )


def branch_choices() -> list[Any]:
    return list(memo.remember("org:branch_choices",
                              lambda: list(Branch.objects.filter(is_active=True).values_list("pk", "name"))))


def branch_get(pk: int) -> Branch:
    return get_object_or_404(Branch.objects.select_related("parent", "head", "company"), pk=pk)


def departments() -> QuerySet[Department]:
    return Department.objects.select_related("branch", "parent", "manager").annotate(
        employee_count=Count("employees", filter=Q(employees__is_active=True))
    )


def department_choices() -> list[Any]:
    return [(d.pk, f"{d.branch.name} / {d.name}") for d in Department.objects.select_related("branch")
            .filter(is_active=True).order_by("branch__name", "path")]


def department_get(pk: int) -> Department:
    return get_object_or_404(Department.objects.select_related("branch", "parent", "manager"), pk=pk)


def employees() -> QuerySet[User]:
    return User.objects.select_related("branch", "department", "manager").prefetch_related("roles")


def employee_get(pk: int) -> Any:
    return get_object_or_404(employees(), pk=pk)


def roles() -> QuerySet[Role]:
    return Role.objects.annotate(user_count=Count("users", filter=Q(users__is_active=True)))


def role_get(pk: int) -> Role:
    return get_object_or_404(Role, pk=pk)


def role_choices() -> list[Any]:
    return [(r.pk, r.name) for r in Role.objects.order_by("code")]


def tree_of_departments() -> list[tuple[Branch, list[Department]]]:
    """Return branches with their departments in tree order (for the org chart)."""
    result = []
    depts = list(Department.objects.select_related("manager").order_by("path"))
    for branch in Branch.objects.order_by("-is_headquarters", "name"):
        result.append((branch, [d for d in depts if d.branch_id == branch.pk]))
    return result
