"""The demo organization: a Guangzhou headquarters and three branches, about 30 people.

Built through the services, so it obeys every rule real data does. Running it twice
changes nothing.
"""

from django.contrib.auth.hashers import make_password

from .models import Branch, Department, DepartmentKind, Role, Tier, User
from .services import branch_create, company_get, company_update, department_create, employee_create

DEMO_PASSWORD = "Guanxi@2026"  # noqa: S105 - the published demo password

BRANCHES = [
    # code, name, city, headquarters
    ("gz", "广州总部", "广州", True),
    ("bj", "北京分公司", "北京", False),
    ("sh", "上海分公司", "上海", False),
    ("sz", "深圳分公司", "深圳", False),
]

DEPARTMENTS = [
    # branch, key, name, kind, parent key
    ("gz", "gz-office", "总经办", DepartmentKind.MANAGEMENT, None),
    ("gz", "gz-sales", "销售部", DepartmentKind.SALES, None),
    ("gz", "gz-key", "大客户组", DepartmentKind.SALES, "gz-sales"),
    ("gz", "gz-customer", "客户部", DepartmentKind.CUSTOMER, None),
    ("gz", "gz-finance", "财务部", DepartmentKind.FINANCE, None),
    ("gz", "gz-purchasing", "采购部", DepartmentKind.PURCHASING, None),
    ("gz", "gz-service", "客户服务部", DepartmentKind.SERVICE, None),
    ("gz", "gz-it", "信息中心", DepartmentKind.OTHER, None),
    ("bj", "bj-office", "经理室", DepartmentKind.MANAGEMENT, None),
    ("bj", "bj-sales", "销售部", DepartmentKind.SALES, None),
    ("bj", "bj-finance", "财务部", DepartmentKind.FINANCE, None),
    ("bj", "bj-service", "客服部", DepartmentKind.SERVICE, None),
    ("sh", "sh-office", "经理室", DepartmentKind.MANAGEMENT, None),
    ("sh", "sh-sales", "销售部", DepartmentKind.SALES, None),
    ("sh", "sh-finance", "财务部", DepartmentKind.FINANCE, None),
    ("sh", "sh-purchasing", "采购部", DepartmentKind.PURCHASING, None),
    ("sz", "sz-office", "经理室", DepartmentKind.MANAGEMENT, None),
    ("sz", "sz-sales", "销售部", DepartmentKind.SALES, None),
    ("sz", "sz-service", "客服部", DepartmentKind.SERVICE, None),
]

D, M, E = Tier.DECISION, Tier.MANAGEMENT, Tier.EXECUTION

EMPLOYEES = [
    # username, name, department key, tier, roles, manager, job title, heads (department keys / branch code)
    ("chenzhiqiang", "陈志强", "gz-office", D, ["general_manager"], None, "董事长", ["gz-office"]),
    ("linhui", "林慧", "gz-office", D, ["general_manager"], "chenzhiqiang", "总经理", ["gz"]),
    ("zhaolei", "赵磊", "gz-it", E, ["administrator"], "linhui", "系统管理员", ["gz-it"]),
    ("wangjianguo", "王建国", "gz-sales", M, ["department_manager"], "linhui", "销售部经理", ["gz-sales"]),
    ("zhangmin", "张敏", "gz-key", M, ["department_manager"], "wangjianguo", "大客户组组长", ["gz-key"]),
    ("liyang", "李阳", "gz-key", E, ["salesperson"], "zhangmin", "大客户经理", []),
    ("liuyang", "刘洋", "gz-sales", E, ["salesperson"], "wangjianguo", "销售代表", []),
    ("huangli", "黄丽", "gz-sales", E, ["sales_assistant"], "wangjianguo", "销售助理", []),
    ("guofang", "郭芳", "gz-customer", M, ["department_manager"], "linhui", "客户部经理", ["gz-customer"]),
    ("zhouhong", "周红", "gz-finance", M, ["finance_supervisor", "department_manager"], "linhui", "财务主管",
     ["gz-finance"]),
    ("wuqiang", "吴强", "gz-purchasing", E, ["purchaser"], "linhui", "采购员", ["gz-purchasing"]),
    ("sunli", "孙丽", "gz-service", M, ["department_manager"], "linhui", "客服主管", ["gz-service"]),
    ("xuting", "徐婷", "gz-service", E, ["service_agent"], "sunli", "客服专员", []),
    ("majun", "马军", "bj-office", M, ["branch_manager"], "linhui", "北京分公司经理", ["bj", "bj-office"]),
    ("yangfan", "杨帆", "bj-sales", M, ["department_manager"], "majun", "销售部经理", ["bj-sales"]),
    ("zhuwei", "朱伟", "bj-sales", E, ["salesperson"], "yangfan", "销售代表", []),
    ("hejing", "何静", "bj-sales", E, ["salesperson"], "yangfan", "销售代表", []),
    ("gaoyan", "高燕", "bj-finance", E, ["finance_supervisor"], "majun", "会计", ["bj-finance"]),
    ("luobin", "罗斌", "bj-service", E, ["service_agent"], "majun", "客服专员", ["bj-service"]),
    ("songtao", "宋涛", "sh-office", M, ["branch_manager"], "linhui", "上海分公司经理", ["sh", "sh-office"]),
    ("tangying", "唐颖", "sh-sales", M, ["department_manager"], "songtao", "销售部经理", ["sh-sales"]),
    ("hanlei", "韩磊", "sh-sales", E, ["salesperson"], "tangying", "销售代表", []),
    ("fengxue", "冯雪", "sh-sales", E, ["salesperson"], "tangying", "销售代表", []),
    ("dengchao", "邓超", "sh-purchasing", E, ["purchaser"], "songtao", "采购员", ["sh-purchasing"]),
    ("caoli", "曹丽", "sh-finance", E, ["finance_supervisor"], "songtao", "会计", ["sh-finance"]),
    ("xiejun", "谢军", "sz-office", M, ["branch_manager"], "linhui", "深圳分公司经理", ["sz", "sz-office"]),
    ("pengli", "彭莉", "sz-sales", M, ["department_manager"], "xiejun", "销售部经理", ["sz-sales"]),
    ("zengqiang", "曾强", "sz-sales", E, ["salesperson"], "pengli", "销售代表", []),
    ("luxiaoyu", "卢晓雨", "sz-sales", E, ["salesperson"], "pengli", "销售代表", []),
    ("caijing", "蔡静", "sz-sales", E, ["sales_assistant"], "pengli", "销售助理", []),
    ("jiangwei", "蒋伟", "sz-service", E, ["service_agent"], "xiejun", "客服专员", ["sz-service"]),
]


def build(stdout=None, password=DEMO_PASSWORD):
    """Create the demo organization (idempotent); return the employees by username."""
    company = company_get()
    if company.name != "广州华智商贸有限公司":
        company_update(actor=None, name="广州华智商贸有限公司", short_name="华智商贸",
                       address="广州市天河区珠江新城华夏路 16 号", phone="020-38886666")
    branches = {}
    for code, name, city, hq in BRANCHES:
        branch = Branch.objects.filter(code=code).first()
        if branch is None:
            branch = branch_create(actor=None, name=name, code=code, city=city, is_headquarters=hq)
        branches[code] = branch
    for code, _name, _city, _hq in BRANCHES[1:]:
        if branches[code].parent_id is None:
            Branch.objects.filter(pk=branches[code].pk).update(parent=branches["gz"])
    departments = {}
    for branch_code, key, name, kind, parent_key in DEPARTMENTS:
        department = Department.objects.filter(branch=branches[branch_code], name=name).first()
        if department is None:
            department = department_create(actor=None, branch=branches[branch_code], name=name, kind=kind,
                                           parent=departments.get(parent_key))
        departments[key] = department
    roles = {role.code: role for role in Role.objects.all()}
    hashed = make_password(password)  # hash once: thirty slow hashes of one password add nothing
    users = {}
    for username, name, dept_key, tier, role_codes, manager, title, _heads in EMPLOYEES:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = employee_create(
                actor=None, username=username, display_name=name,
                department=departments[dept_key], manager=users.get(manager), tier=tier,
                roles=[roles[c] for c in role_codes], title=title, email=f"{username}@huazhi.example.cn",
                phone=_phone(username),
            )
            User.objects.filter(pk=user.pk).update(password=hashed)
            user.password = hashed
        users[username] = user
    for username, *_rest, heads in EMPLOYEES:
        for key in heads:
            if key in branches:
                Branch.objects.filter(pk=branches[key].pk, head__isnull=True).update(head=users[username])
            else:
                Department.objects.filter(pk=departments[key].pk, manager__isnull=True).update(
                    manager=users[username]
                )
    if stdout is not None:
        stdout.write(f"Demo organization: {len(branches)} branches, {len(departments)} departments, "
                     f"{len(users)} employees.")
    return users


def _phone(username):
    # Stable, valid-looking mainland mobile numbers (139 + 8 digits from the name).
    digits = sum((i + 1) * ord(c) for i, c in enumerate(username)) * 7919 % 100_000_000
    return f"139{digits:08d}"


def logins():
    """Return (username, name, branch, role names) for the demo's login table."""
    rows = []
    for username, name, _dept, _tier, _roles, _mgr, title, _heads in EMPLOYEES:
        user = User.objects.filter(username=username).select_related("branch").first()
        if user is not None:
            rows.append((username, name, user.branch.name if user.branch else "", title))
    return rows
