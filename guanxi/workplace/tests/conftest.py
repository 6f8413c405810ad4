import pytest


@pytest.fixture
def org(demo_org):
    """The demo organization by username."""
    return demo_org


@pytest.fixture
def customer(org):
    from guanxi.customers.services import customer_create

    return customer_create(actor=org["liuyang"], name="广州华达电子有限公司", category="customer")


@pytest.fixture
def competitor(org):
    from guanxi.customers.services import customer_create

    return customer_create(actor=org["wangjianguo"], name="深圳宏图显示科技有限公司", category="competitor")


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()
