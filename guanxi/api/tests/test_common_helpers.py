"""api.common.resolved: ids of a request body become records through the queryset given."""

import pytest

from guanxi.api.common import resolved
from guanxi.core.errors import ValidationFailed
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
