"""Query budgets of the e-mail pages (lists ≤ 6 queries, details ≤ 10) whatever the rows."""

import pytest
from django.urls import reverse

from guanxi.marketing.services import email as services

from . import email_support
from .email_support import customers_with_mail, make_send, start_now, static_segment

pytestmark = pytest.mark.django_db

marketer = email_support.marketer


@pytest.fixture
def sends(marketer, seller):
    segment = static_segment(marketer, customers_with_mail(seller, ["q1@e.cn", "q2@e.cn"]))
    made = [make_send(marketer, segment) for _ in range(4)]
    start_now(marketer, made[0])
    services.send_deliver_batch(made[0].pk, transport=email_support.FakeTransport())
    return made


def test_list_and_detail_stay_within_their_query_budget(marketer, sends, client_for, django_assert_max_num_queries):
    """MKT-4: the campaign list and a send's page (with stats and progress) cost a fixed number of queries."""
    client = client_for(marketer)
    client.get(reverse("marketing:email_send_list"))  # warm the per-process tables (menus, pick-lists)
    with django_assert_max_num_queries(6 + 4):  # + session, user, roles, saved views of the list kit
        assert client.get(reverse("marketing:email_send_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("marketing:email_send_detail", args=[sends[0].pk])).status_code == 200
