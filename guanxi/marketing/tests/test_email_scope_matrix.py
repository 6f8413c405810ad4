"""ORG-3 for e-mail campaigns (MKT-4): every user sees exactly the sends their scope allows,
on the list, search, export, detail and the API."""

import pytest

from guanxi.marketing.models import EmailSend
from guanxi.marketing.services import email as services
from guanxi.org.models import User
from guanxi.testing.factories import UserFactory
from guanxi.testing.scope_matrix import ScopeCase, assert_scope_matrix

from .email_support import static_segment

pytestmark = pytest.mark.django_db

SENDS = ScopeCase(
    label="email campaigns",
    permission="marketing.view",
    records=lambda: EmailSend.objects.select_related("owner__department__parent", "owner__manager").all(),
    owner_of=lambda s: s.owner,
    branch_of=lambda s: s.branch_id,
    title_of=lambda s: s.name,
    list_url="/marketing/email/campaigns/",
    detail_url=lambda s: f"/marketing/email/campaigns/{s.pk}/",
    detail_pattern=r'href="/marketing/email/campaigns/(\d+)/"',
    search_term="矩阵",
    api_list="/api/v1/email-campaigns",
    api_detail=lambda s: f"/api/v1/email-campaigns/{s.pk}",
    export_url="/marketing/email/campaigns/?export=csv",
    export_permission="marketing.export",
    global_search=False,
)


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
    users = list(User.objects.prefetch_related("roles").select_related("department__parent", "manager")
                 .order_by("pk"))
    assert assert_scope_matrix(SENDS, users) >= 3
