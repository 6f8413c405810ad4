"""Every module's demo on a small company (40 customers): the world the screen crawl and
the query budgets look at. Built once per test process and replayed (``conftest.py``)."""

from guanxi.customers import demo as customers_demo
from guanxi.finance import demo as finance_demo
from guanxi.finance import demo_pay
from guanxi.marketing import demo as marketing_demo
from guanxi.marketing import demo_capture, demo_email, demo_loyalty, demo_segments
from guanxi.org.models import User
from guanxi.sales import demo as sales_demo
from guanxi.service import demo as service_demo
from guanxi.workplace import demo as workplace_demo
from guanxi.workplace import demo_day

# In the order of guanxi.system.demo.DEMO_BUILDERS (the analytics builders left out: the
# pages read what the modules wrote; their own tests build their figures).
BUILDERS = (sales_demo, finance_demo, demo_pay, service_demo, marketing_demo, demo_day, demo_segments,
            demo_email, demo_loyalty, demo_capture)


def build_world():
    """Build the modules' demos on top of the demo organization (already there)."""
    workplace_demo.build(per_user=1)
    customers_demo.build(total=40)
    for module in BUILDERS:
        module.build()


def demo_users(recording):
    """The demo people of a replayed recording (its result: username → id), by username."""
    users = User.objects.in_bulk(list(recording.result.values()))
    return {username: users[pk] for username, pk in recording.result.items()}
