"""ORG-3 for customers: every demo user × every customer and contact, on every surface."""

import pytest

from guanxi.customers import selectors
from guanxi.customers.models import Contact, Customer, CustomerSettings, CustomerShare
from guanxi.customers.services import customer_create
from guanxi.org.models import Branch, User
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case


def _pool_visible(user, customer):
    if customer.owner_id is not None or not user.has_module_perm("customers.claim"):
        return False
    mode = CustomerSettings.current().pool_mode
    return mode == CustomerSettings.PoolMode.COMPANY or customer.branch_id == user.branch_id


def _customer_extra(user, customer):
    shared = CustomerShare.objects.filter(customer=customer, user=user).exists()
    return shared or _pool_visible(user, customer)


def _dup_check_masks_owners(user, records, expected):
    """CUS-5: a hit names its owner and links to it only when the searcher may see it."""
    problems = []
    for customer in records:
        hits = {h.customer.pk: h for h in selectors.duplicate_check(user, name=customer.name, limit=20)}
        hit = hits.get(customer.pk)
        if hit is None:
            problems.append((user.username, "dup check missed", customer.pk))
            continue
        visible = customer.pk in expected
        if hit.visible != visible or (hit.url is not None) != visible:
            problems.append((user.username, "dup check visibility", customer.pk, hit.visible, visible))
        if not visible and customer.owner is not None and customer.owner.display_name in hit.whose:
            problems.append((user.username, "dup check leaks the owner", customer.pk, hit.whose))
    return problems


@pytest.fixture
def matrix_customers(demo_org):
    """One customer per seller, one in each branch's pool, one shared to read, one to edit."""
    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
               if u.has_module_perm("customers.create")]
    for i, user in enumerate(sellers):
        customer_create(actor=user, name=f"矩阵客户{i:02d}号{user.username}", mobile=f"1390000{i:04d}")
    admin = demo_org["chenzhiqiang"]
    for branch in Branch.objects.all():
        customer_create(actor=demo_org["xiejun"] if branch.code == "sz" else admin, owner=None,
                        name=f"矩阵公海{branch.code}")
        Customer.objects.filter(name=f"矩阵公海{branch.code}").update(branch=branch)
    shared_read = Customer.objects.get(name__endswith="zhuwei")
    CustomerShare.objects.create(customer=shared_read, user=demo_org["liuyang"], can_edit=False)
    shared_edit = Customer.objects.get(name__endswith="hanlei")
    CustomerShare.objects.create(customer=shared_edit, user=demo_org["liuyang"], can_edit=True)
    for customer in Customer.objects.all():
        Contact.objects.create(customer=customer, name=f"联系人{customer.pk}", mobile="")
    return Customer.objects.all()


CUSTOMERS = owned_case("customers", Customer, module="customers", list_url="/customers/", api="customers",
                       title_of=lambda c: c.name, search_term="矩阵", related=("branch",),
                       extra_visible=_customer_extra, more_checks=_dup_check_masks_owners)

CONTACTS = owned_case("contacts", Contact, module="customers", list_url="/customers/contacts/", api="contacts",
                      owner="customer.owner", title_of=lambda c: c.name, search_term="联系人",
                      extra_visible=lambda user, contact: _customer_extra(user, contact.customer),
                      global_search=False)


def test_scope_matrix_for_customers_and_the_duplicate_check(matrix_customers):
    """ORG-3, CUS-5, CUS-7: list, search, export, API, detail and duplicate check, every user."""
    assert assert_scope_matrix(CUSTOMERS, matrix_users()) >= 25


def test_scope_matrix_for_contacts(matrix_customers):
    """ORG-3: contacts follow their customer's scope."""
    assert assert_scope_matrix(CONTACTS, matrix_users()) >= 25


def test_scope_matrix_with_a_company_wide_pool(matrix_customers):
    """CUS-7: with one pool for the company, every salesperson sees every pool customer."""
    settings_row = CustomerSettings.current()
    settings_row.pool_mode = CustomerSettings.PoolMode.COMPANY
    settings_row.save()
    users = [u for u in matrix_users() if u.username in ("liuyang", "zhuwei", "majun", "xuting")]
    assert_scope_matrix(CUSTOMERS, users)
