"""ORG-3 for e-mail campaigns (MKT-4): every user sees exactly the sends their scope allows,
on the list, search, export, detail and the API."""

import pytest

from guanxi.marketing.models import EmailSend
from guanxi.marketing.services import email as services
from guanxi.org.models import User
from guanxi.testing.factories import UserFactory
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case

from .email_support import static_segment

pytestmark = pytest.mark.django_db

SENDS = owned_case("email campaigns", EmailSend, module="marketing", list_url="/marketing/email/campaigns/",
                   api="email-campaigns", title_of=lambda s: s.name, search_term="矩阵", global_search=False)


def test_scope_matrix_for_email_campaigns(demo_org):
    """ORG-3 / MKT-4: marketers of Guangzhou and Beijing (branch scope) and the general
    managers (all) see exactly the sends of their scope; others get 403."""
    marketers = [UserFactory(username=f"mkt-{key}", department=demo_org[colleague].department,
                             roles=["marketing_specialist"]) for key, colleague in (("gz", "liuyang"), ("bj", "zhuwei"))]
    for n, marketer in enumerate(marketers):
        marketer = User.objects.get(pk=marketer.pk)
        template = services.email_template_create(actor=marketer, name=f"模板{n}", subject="s", text_body="t")
        for k in range(2):
            services.email_send_create(actor=marketer, name=f"矩阵群发{n}-{k}", template=template,
                                       segment=static_segment(marketer, [], name=f"分群{n}-{k}"))
    assert assert_scope_matrix(SENDS, matrix_users()) >= 3
