"""api.common.resolved: ids of a request body become records through the queryset given;
api.common.PickCode: a pick-list item leaves as its code."""

import pytest
from ninja import Schema

from guanxi.api.common import PickCode, resolved
from guanxi.core.errors import ValidationFailed
from guanxi.core.models import PickItem
from guanxi.org.models import Branch
from guanxi.testing.factories import BranchFactory


@pytest.mark.django_db
def test_resolved_turns_ids_into_records_and_names_the_unknown_field():
    branch = BranchFactory()
    data = resolved({"parent_id": branch.pk, "head_id": None, "name": "x"}, parent=Branch.objects.all(),
                    head=Branch.objects.none(), manager=Branch.objects.none())
    assert data == {"parent": branch, "head": None, "name": "x"}  # manager_id not given: stays absent
    with pytest.raises(ValidationFailed) as refused:
        resolved({"parent_id": branch.pk}, parent=Branch.objects.exclude(pk=branch.pk))
    assert refused.value.errors[0]["field"] == "parent_id"


def test_pick_code_leaves_an_item_as_its_code_and_a_code_or_none_as_it_is():
    class Out(Schema):
        category: PickCode

    assert Out.model_validate({"category": PickItem(list_key="x", code="vip")}).category == "vip"
    assert Out.model_validate({"category": "vip"}).category == "vip"
    assert Out.model_validate({"category": None}).category is None
