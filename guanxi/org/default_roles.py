"""The built-in job roles (ORG-4) and what each is granted by default.

Grants name modules that may not exist yet; a module's grants are applied when the
module is installed (``roles_sync_defaults``). ``"*"`` grants every action.
"""

from .models import DataScope

# Everyone plans their day, reads directives and posts news; assigning work, the staff's
# day and issuing directives are for managers and the decision tier.
_WORK = ["view", "create", "edit", "delete", "export"]
_DAILY = {"workplace": _WORK, "org": ["view"], "approvals": ["view"]}
_MANAGING = {**_DAILY, "workplace": [*_WORK, "assign", "overview"]}
_DECIDING = {**_DAILY, "workplace": [*_WORK, "assign", "overview", "directive"]}

DEFAULT_ROLES = {
    "salesperson": {
        "zh": "销售员", "en": "Salesperson", "scope": DataScope.OWN,
        # finance view: their own customers' money (the scope is their own), nothing else.
        "grants": {**_DAILY, "customers": ["view", "create", "edit", "export", "claim"],
                   "sales": ["view", "create", "edit"], "service": ["view"], "finance": ["view"]},
    },
    "sales_assistant": {
        "zh": "销售助理", "en": "Sales assistant", "scope": DataScope.DEPARTMENT,
        "grants": {**_DAILY, "customers": ["view", "create", "edit", "export", "import"],
                   "sales": ["view", "create", "edit", "export", "ship"], "finance": ["view"]},
    },
    "finance_supervisor": {
        "zh": "财务主管", "en": "Finance supervisor", "scope": DataScope.BRANCH,
        "grants": {**_DAILY, "finance": "*", "customers": ["view"], "sales": ["view", "commissions"],
                   "analytics": ["view"]},
    },
    "purchaser": {
        "zh": "采购员", "en": "Purchaser", "scope": DataScope.OWN,
        "grants": {**_DAILY, "purchasing": ["view", "create", "edit", "export", "receive"]},
    },
    "service_agent": {
        # The service desk looks up any customer of its branch and picks up its tickets.
        "zh": "客服专员", "en": "Service agent", "scope": DataScope.BRANCH,
        "grants": {**_DAILY, "service": ["view", "create", "edit", "export"], "customers": ["view", "create", "edit"]},
    },
    "department_manager": {
        "zh": "部门经理", "en": "Department manager", "scope": DataScope.DEPARTMENT_TREE,
        # Pay (sales.commissions) is for finance and branch heads, not every department head.
        "grants": {**_MANAGING, "customers": "*",
                   "sales": ["view", "create", "edit", "delete", "export", "ship", "manage", "targets"], "service": "*", "purchasing": "*",
                   "analytics": ["view", "export"], "system": ["recycle"]},
    },
    "branch_manager": {
        "zh": "分公司经理", "en": "Branch manager", "scope": DataScope.BRANCH,
        "grants": {**_MANAGING, "customers": "*", "sales": "*", "service": "*", "purchasing": "*",
                   "finance": ["view", "export", "report"], "analytics": "*", "marketing": "*",
                   "system": ["recycle"]},
    },
    "general_manager": {
        "zh": "总经理/董事长", "en": "General manager / chairman", "scope": DataScope.ALL,
        "grants": {**_DECIDING, "customers": "*", "sales": "*", "service": "*", "purchasing": "*",
                   "finance": "*", "analytics": "*", "marketing": "*", "system": ["recycle", "audit"]},
    },
    "marketing_specialist": {
        # Marketing works on customers of the branch: segments, campaigns, points.
        "zh": "市场专员", "en": "Marketing specialist", "scope": DataScope.BRANCH,
        "grants": {**_DAILY, "marketing": ["view", "create", "edit", "delete", "export", "send"],
                   "customers": ["view", "export"], "sales": ["view"], "analytics": ["view"]},
    },
    "administrator": {
        "zh": "系统管理员", "en": "Administrator", "scope": DataScope.ALL,
        "grants": {"workplace": _WORK, "org": "*", "system": "*", "customers": ["view", "manage"], "approvals": "*"},
    },
}
