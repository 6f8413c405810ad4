"""Writes to the organization. Every function is keyword-only and takes ``actor``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.permissions import all_codes, ensure, modules
from guanxi.core.services import assign_fields, service, soft_restore, validated_save

from . import signals
from .default_roles import DEFAULT_ROLES
from .models import Branch, Company, Department, Role, Tier, User
from .scopes import ensure_in_scope, subordinate_ids

BRANCH_FIELDS = {"name", "code", "city", "address", "phone", "parent", "head", "is_active"}
DEPARTMENT_FIELDS = {"name", "kind", "manager", "is_active"}
EMPLOYEE_FIELDS = {"display_name", "email", "phone", "title", "tier", "language", "first_name", "last_name"}


def _require(actor: User, code: str) -> None:
    if actor is not None and not actor.has_module_perm(code):
        raise Forbidden()


# --- company and branches ----------------------------------------------------------
def company_get() -> Company:
    company = Company.objects.order_by("pk").first()
    if company is None:
        company = Company.objects.create(name=_("My company"))
    return company


@service
def company_update(*, actor: User, **data: Any) -> Any:
    _require(actor, "org.manage")
    company = company_get()
    assign_fields(company, {"name", "short_name", "address", "phone"}, data)
    return validated_save(company)


@service
def branch_create(*, actor: User, name: str, code: str, is_headquarters: bool = False, **data: Any) -> Any:
    _require(actor, "org.manage")
    company = company_get()
    branch = Branch(company=company, name=name, code=code)
    assign_fields(branch, BRANCH_FIELDS, data)
    has_headquarters = Branch.objects.filter(company=company, is_headquarters=True).exists()
    if is_headquarters and has_headquarters:
        _clear_headquarters(company)
    branch.is_headquarters = is_headquarters or not has_headquarters
    return validated_save(branch)


@service
def branch_update(*, actor: User, branch: Branch, is_headquarters: bool | None = None, **data: Any) -> Any:
    _require(actor, "org.manage")
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    assign_fields(branch, BRANCH_FIELDS, data)
    if branch.parent_id == branch.pk:
        raise ValidationFailed(_("A branch cannot report to itself."), field="parent")
    if is_headquarters is True and not branch.is_headquarters:
        _clear_headquarters(branch.company)
        branch.is_headquarters = True
    elif is_headquarters is False and branch.is_headquarters:
        raise ValidationFailed(
            _("The company needs exactly one headquarters: make another branch the headquarters instead."),
            field="is_headquarters",
        )
    if not branch.is_active and branch.is_headquarters:
        raise ValidationFailed(_("The headquarters cannot be deactivated."), field="is_active")
    return validated_save(branch)


def _clear_headquarters(company: Company) -> None:
    # Clear the old headquarters first so the one-headquarters constraint holds throughout.
    Branch.objects.filter(company=company, is_headquarters=True).update(is_headquarters=False)


# --- departments -------------------------------------------------------------------
@service
def department_create(*, actor: User, branch: Branch, name: str, kind: str, parent: Any = None, **data: Any) -> Department:
    _require(actor, "org.manage")
    if parent is not None and parent.branch_id != branch.pk:
        raise ValidationFailed(_("The parent department must be in the same branch."), field="parent")
    department = Department(branch=branch, name=name, kind=kind, parent=parent)
    assign_fields(department, DEPARTMENT_FIELDS, data)
    validated_save(department)
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    return department


@service
def department_update(*, actor: User, department: Department, parent: Any = ..., branch: Branch | None = None, **data: Any) -> Department:
    """Update a department; a new parent or branch moves its whole subtree."""
    _require(actor, "org.manage")
    department = Department.objects.select_for_update().get(pk=department.pk)
    assign_fields(department, DEPARTMENT_FIELDS, data)
    new_branch = branch or department.branch
    new_parent = department.parent if parent is ... else parent
    if new_parent is not None:
        if new_parent.path.startswith(department.path):
            raise ValidationFailed(_("A department cannot be placed under itself."), field="parent")
        if new_parent.branch_id != new_branch.pk:
            raise ValidationFailed(_("The parent department must be in the same branch."), field="parent")
    old_path = department.path
    department.parent = new_parent
    department.branch = new_branch
    validated_save(department)
    new_path = f"{new_parent.path if new_parent else '/'}{department.pk}/"
    if new_path != old_path:
        Department.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    subtree = Department.objects.filter(path__startswith=new_path)
    subtree.exclude(branch=new_branch).update(branch=new_branch)
    User.objects.filter(department__in=subtree).exclude(branch=new_branch).update(branch=new_branch)
    department.refresh_from_db()
    return department


# --- employees ---------------------------------------------------------------------
def _place(user: User, department: Department | None) -> None:
    user.department = department
    user.branch = department.branch if department else None


@service
def employee_create(*, actor: User, username: str, display_name: str, password: str | None = None, department: Department | None = None, manager: User | None = None, roles: Iterable[Role] = (),
                    tier: str = Tier.EXECUTION, **data: Any) -> User:
    _require(actor, "org.manage")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The username “%(username)s” is taken.") % {"username": username}, field="username")
    user = User(username=username, display_name=display_name, tier=tier)
    assign_fields(user, EMPLOYEE_FIELDS, data)
    _place(user, department)
    user.manager = manager
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    validated_save(user)
    user.roles.set(roles)
    return user


@service
def employee_update(*, actor: User, user: User, roles: Iterable[Role] | None = None, manager: Any = ..., **data: Any) -> User:
    _require(actor, "org.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    assign_fields(user, EMPLOYEE_FIELDS, data)
    if manager is not ...:
        _check_manager(user, manager)
        user.manager = manager
    validated_save(user)
    if roles is not None:
        if user.is_superuser and actor is not None and not actor.is_superuser:
            raise Forbidden()
        user.roles.set(roles)
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(errors=[{"field": "password", "message": m} for m in exc.messages]) from exc


def _check_manager(user: User, manager: User) -> None:
    if manager is None:
        return

    if manager.pk == user.pk or manager.pk in subordinate_ids(user):
        raise ValidationFailed(_("Someone cannot report to themselves or to their own subordinate."), field="manager")


@service
def employee_move(*, actor: User, user: User, department: Department, manager: Any = ...) -> User:
    """Move an employee to another department (and branch); their records follow them."""
    _require(actor, "org.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    old_department = user.department
    _place(user, department)
    if manager is not ...:
        _check_manager(user, manager)
        user.manager = manager
    validated_save(user)
    signals.employee_moved.send(sender=User, user=user, old_department=old_department, actor=actor)
    return user


@service
def employee_deactivate(*, actor: User, user: User, left_on: datetime.date | None = None) -> User:
    """Deactivate a leaver: no more logins or tokens; every record they own is kept."""
    _require(actor, "org.manage")
    if actor is not None and actor.pk == user.pk:
        raise ValidationFailed(_("You cannot deactivate yourself."))
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.left_on = left_on or timezone.localdate()
    validated_save(user)
    User.objects.filter(manager=user).update(manager=user.manager)
    signals.employee_deactivated.send(sender=User, user=user, actor=actor)
    return user


@service
def employee_reactivate(*, actor: User, user: User) -> Any:
    _require(actor, "org.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = True
    user.left_on = None
    return validated_save(user)


@service
def employee_set_password(*, actor: User, user: User, password: str) -> User:
    _require(actor, "org.manage")
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    signals.password_changed.send(sender=User, user=user, actor=actor)
    return user


# --- roles -------------------------------------------------------------------------
def _clean_codes(codes: Any) -> Any:
    codes = sorted(set(codes))
    unknown = [code for code in codes if code not in all_codes()]
    if unknown:
        raise ValidationFailed(
            _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}, field="permissions"
        )
    return codes


@service
def role_create(*, actor: User, code: str, name_zh: str, name_en: str, data_scope: str, permissions: Iterable[str] = (), description: str = "") -> Any:
    _require(actor, "org.manage")
    if Role.objects.filter(code=code).exists():
        raise Conflict(_("A role with this code exists."), field="code")
    role = Role(code=code, name_zh=name_zh, name_en=name_en, data_scope=data_scope, description=description)
    role.permissions = _clean_codes(permissions)
    return validated_save(role)


@service
def role_update(*, actor: User, role: Role, permissions: Iterable[str] | None = None, **data: Any) -> Any:
    _require(actor, "org.manage")
    role = Role.objects.select_for_update().get(pk=role.pk)
    assign_fields(role, {"name_zh", "name_en", "description", "data_scope"}, data)
    if permissions is not None:
        role.permissions = _clean_codes(permissions)
    return validated_save(role)


@service
def role_delete(*, actor: User, role: Role) -> None:
    _require(actor, "org.manage")
    if role.is_system:
        raise Conflict(_("Built-in roles cannot be deleted; edit their permissions instead."))
    if role.users.exists():
        raise Conflict(_("This role is still given to employees."))
    role.delete()


def roles_sync_defaults() -> None:
    """Create the built-in roles and grant their defaults for modules they do not know yet.

    Runs after every migrate. An administrator's edits to modules a role already knew
    are kept; a module added by an upgrade gets the role's default grants once.
    """

    registered = {m.code: m for m in modules()}
    codes = {f"{m.code}.{a}" for m in registered.values() for a in m.actions}
    for code, spec in DEFAULT_ROLES.items():
        role, created = Role.objects.get_or_create(
            code=code,
            defaults={"name_zh": spec["zh"], "name_en": spec["en"], "data_scope": spec["scope"], "is_system": True},  # type: ignore[misc]
        )
        # known_modules holds module codes and, since actions were added to known
        # modules, action codes ("sales.targets"): a new action is granted once too.
        known = set(role.known_modules)
        known_actions = {k for k in known if "." in k}
        new_modules = set(registered) - known
        new_actions = (codes - known_actions) if known_actions or created else set()
        if not (created or new_modules or new_actions or not known_actions):
            continue
        granted = set(role.permissions)
        for permission in codes:
            module_code, action = permission.split(".", 1)
            if module_code not in new_modules and permission not in new_actions:
                continue
            actions = spec["grants"].get(module_code, ())  # type: ignore[attr-defined]
            if actions == "*" or action in actions:
                granted.add(permission)
        role.permissions = sorted(granted)
        role.known_modules = sorted(known | set(registered) | codes)
        role.save(update_fields=["permissions", "known_modules"])


@service
def employee_set_language(*, actor: User, user: User, language: str) -> User:
    """Remember a user's own language choice."""
    if actor.pk != user.pk:
        raise Forbidden()
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


# --- the recycle bin, for every module's soft-deleted records ----------------------------
def restore_in_scope(actor: User, record: Any) -> Any:
    """Bring ``record`` (in the actor's scope) back from the recycle bin."""
    ensure(actor, "system.recycle")
    ensure_in_scope(actor, record)
    return soft_restore(record)


def purge_in_scope(actor: User, record: Any, kept: str | None = None) -> None:
    """Delete ``record`` (in the actor's scope) for good. ``kept``: the message when other
    records still refer to it (PROTECT); without one, the ProtectedError goes up."""
    ensure(actor, "system.purge")
    ensure_in_scope(actor, record)
    try:
        record.delete()
    except ProtectedError as exc:
        if kept is None:
            raise
        raise Conflict(kept) from exc
