"""Data scopes (ORG-3): the one helper every query of business records goes through.

A business model declares where its owner and branch live::

    class Note(models.Model):
        scope_paths = ScopePaths(owner="owner", branch="branch")

and may add a classmethod ``scope_extra(user) -> Q`` for records a user sees for
another reason (shared with them, in the public pool). Lists, detail pages, search,
export, reports, notifications and the API all call :func:`scoped` or
:func:`get_scoped`; a record outside the scope is "not found".
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from guanxi.core import memo
from guanxi.core.errors import NotFound

from .models import TIER_DEFAULT_SCOPE, DataScope, Department, User

SCOPE_BREADTH = [
    DataScope.OWN,
    DataScope.SUBORDINATES,
    DataScope.DEPARTMENT,
    DataScope.DEPARTMENT_TREE,
    DataScope.BRANCH,
    DataScope.ALL,
]


@dataclass(frozen=True)
class ScopePaths:
    """ORM paths from a record to its owner and branch.

    Department scopes go through the owner: records follow their owner when the owner
    moves department, and a transfer moves them explicitly.
    """

    owner: str = "owner"
    branch: str = "branch"


def user_scopes(user):
    """Return the data scopes the user's roles give (the tier's default without roles)."""
    if not hasattr(user, "_data_scopes"):
        if not user.is_active:
            scopes = set()
        elif user.is_superuser:
            scopes = {DataScope.ALL}
        else:
            scopes = {DataScope(role.data_scope) for role in user.role_list}
            if not scopes:
                scopes = {TIER_DEFAULT_SCOPE[user.tier]}
        user._data_scopes = scopes
    return user._data_scopes


def widest_scope(user):
    scopes = user_scopes(user)
    return max(scopes, key=SCOPE_BREADTH.index) if scopes else None


def subordinate_ids(user):
    """Return ids of everyone below the user on the reporting line (cached per user)."""
    if not hasattr(user, "_subordinate_ids"):
        user._subordinate_ids = memo.remember(f"org:subordinates:{user.pk}", lambda: _subordinates(user))
    return user._subordinate_ids


def _subordinates(user):
    found, frontier = set(), {user.pk}
    while frontier:
        frontier = set(User.objects.filter(manager_id__in=frontier).values_list("pk", flat=True)) - found
        frontier.discard(user.pk)
        found |= frontier
    return frozenset(found)


def colleague_ids(user, tree):
    """Return ids of everyone in the user's department (and below it, with ``tree``).

    Scopes filter records by these owner ids rather than joining to the owner's
    department, so the database can use the records' own (owner, …) indexes.
    """
    cache_name = "_tree_member_ids" if tree else "_department_member_ids"
    if not hasattr(user, cache_name):
        setattr(user, cache_name, memo.remember(f"org:colleagues:{user.pk}:{tree}", lambda: _colleagues(user, tree)))
    return getattr(user, cache_name)


def _colleagues(user, tree):
    if tree:
        members = User.objects.filter(department__path__startswith=user.department.path)
    else:
        members = User.objects.filter(department_id=user.department_id)
    return frozenset(members.values_list("pk", flat=True))


def scope_q(user, model, extra=True):
    """Return the Q that limits ``model`` to what ``user`` may see, or None for all.

    ``extra=False`` leaves out the model's ``scope_extra`` (records shared with the user
    or in a pool): what the user may change rather than only read.
    """
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    paths = model.scope_paths
    everything, owners, branch_id = _scope_parts(user)
    if everything:
        return None
    if not owners:
        return Q(pk__in=[])
    # One IN list of owners (the user, subordinates, colleagues): index-friendly, no joins.
    q = Q(**{f"{paths.branch}_id": branch_id}) if branch_id else Q()
    if len(owners) == 1:
        owner_q = Q(**{f"{paths.owner}_id": user.pk})
    else:
        owner_q = Q(**{f"{paths.owner}_id__in": sorted(owners)})
    q = owner_q | q if q else owner_q
    scope_extra = getattr(model, "scope_extra", None) if extra else None
    if scope_extra is not None:
        q |= scope_extra(user)
    return q


def _scope_parts(user):
    """(sees everything, owner ids whose records are seen, branch id seen or None);
    no owners at all means nothing is seen."""
    scopes = user_scopes(user)
    if DataScope.ALL in scopes:
        return True, set(), None
    if not scopes:
        return False, set(), None
    owners, branch_id = {user.pk}, None
    for scope in scopes:
        if scope == DataScope.SUBORDINATES:
            owners |= subordinate_ids(user)
        elif scope == DataScope.DEPARTMENT and user.department_id:
            owners |= colleague_ids(user, tree=False)
        elif scope == DataScope.DEPARTMENT_TREE and user.department_id:
            owners |= colleague_ids(user, tree=True)
        elif scope == DataScope.BRANCH and user.branch_id:
            branch_id = user.branch_id
    return False, owners, branch_id


def record_in_scope(user, owner_id, branch_id):
    """Whether a record owned by ``owner_id`` in ``branch_id`` is in the user's scope
    (the same rule as ``scope_q``, without sharing), for records not yet saved."""
    if user is None or not user.is_authenticated:
        return False
    everything, owners, seen_branch = _scope_parts(user)
    return everything or owner_id in owners or (seen_branch is not None and branch_id == seen_branch)


def people_in_scope(user, active_only=True):
    """Employees whose records the user's scope covers, by branch, department and name,
    with their branch and department (one query, remembered per user until people,
    departments or roles change: ``core.memo``): the choices of filters by person."""
    if user is None or not user.is_authenticated:
        return []
    return list(memo.remember(f"org:people_in_scope:{user.pk}:{active_only}",
                              lambda: _people_in_scope(user, active_only)))


def _people_in_scope(user, active_only):
    people = User.objects.filter(branch__isnull=False).select_related("branch", "department")
    if active_only:
        people = people.filter(is_active=True)
    return [person for person in people.order_by("branch__name", "department__path", "display_name")
            if record_in_scope(user, person.pk, person.branch_id)]


def departments_in_scope(user):
    """The departments whose own records (targets, plans) the user's scope covers."""

    scopes = user_scopes(user) if user is not None and user.is_authenticated else set()
    if DataScope.ALL in scopes:
        return Department.objects.all()
    q = Q(pk__in=[])
    if DataScope.BRANCH in scopes and user.branch_id:
        q |= Q(branch_id=user.branch_id)
    if DataScope.DEPARTMENT_TREE in scopes and user.department_id:
        q |= Q(path__startswith=user.department.path)
    if DataScope.DEPARTMENT in scopes and user.department_id:
        q |= Q(pk=user.department_id)
    return Department.objects.filter(q)


def scoped(queryset, user, extra=True):
    """Limit a queryset of business records to the user's data scope."""
    q = scope_q(user, queryset.model, extra=extra)
    # scope_extra must not join to many rows (use pk__in subqueries), so no DISTINCT.
    return queryset if q is None else queryset.filter(q)


def get_scoped(queryset, user, **lookup):
    """Return one record in the user's scope, or raise Http404 (never 403: no leak).
    Prefetched people, branches and pick-list items come from memory (``core.memo``)."""
    lookups = queryset._prefetch_related_lookups
    try:
        record = scoped(queryset.prefetch_related(None), user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    memo.fill([record], lookups)
    return record


def can_see(user, obj):
    return scoped(type(obj)._base_manager.filter(pk=obj.pk), user).exists()


def ensure_in_scope(user, obj):
    """Raise NotFound unless the user may see ``obj`` (services call this before writing)."""

    if not can_see(user, obj):
        raise NotFound()
