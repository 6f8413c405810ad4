"""Issue 11.4: the first import of a company's list. Unknown pick-list values are decided
at the mapping step (map, add, leave empty) instead of rejecting rows; a first
administrator without a branch chooses a default owner or the pool."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.core.errors import ValidationFailed
from guanxi.core.import_jobs import import_run, import_start, import_upload, unknown_values
from guanxi.core.models import CustomField, ImportJob, ImportStatus, PickItem
from guanxi.customers.models import Customer
from guanxi.org.models import Branch, Role, User

ROWS = ("客户名称,行业,来源,区域\n"
        "广州天河餐饮管理有限公司,餐饮,转介绍,华东\n"
        "深圳福田餐饮连锁有限公司,餐饮,展会,华南\n"
        "北京朝阳软件有限公司,信息技术,转介绍,\n")


@pytest.fixture
def founder(demo_org):
    """The first administrator: a superuser in no branch or department."""
    return User.objects.create_user(username="founder", password="x-Very-long-1", is_superuser=True)


@pytest.fixture
def region_field(db):
    return CustomField.objects.create(entity="customers.customer", key="region", label_zh="区域", label_en="Region",
                                      field_type="choice", options=["华南", "华北"])


def _upload(actor, text=ROWS):
    return import_upload(actor=actor, entity="customers.customer",
                         upload=SimpleUploadedFile("客户名单.csv", text.encode("utf-8-sig")))


def _run(job, **options):
    job = import_start(actor=job.created_by, job=job, mapping=job.mapping, options=options)
    import_run(job.pk)
    job.refresh_from_db()
    return job


def _owner(demo_org):
    return User.objects.get(username="liuyang")


def test_unknown_values_are_listed_per_field_with_counts(founder, region_field):
    """CUS-4: the mapping step lists each unknown value per pick-list field with its count."""
    job = _upload(founder)
    found = {target.key: values for target, values in unknown_values(job, job.mapping)}
    assert found == {"industry": [("餐饮", 2)], "source": [("转介绍", 2)], "custom.region": [("华东", 1)]}


def test_map_unknown_values_to_existing_items(founder, region_field, demo_org):
    """CUS-4: "map to an existing item" — 餐饮 becomes 食品饮料, 转介绍 becomes 客户介绍."""
    job = _run(_upload(founder), default_owner=str(_owner(demo_org).pk), choices={
        "industry": {"餐饮": "map:food"}, "source": {"转介绍": "map:referral"}, "custom.region": {"华东": "map:华南"}})
    assert job.status == ImportStatus.DONE and job.created_count == 3 and job.error_count == 0
    canteen = Customer.objects.get(name="广州天河餐饮管理有限公司")
    assert (canteen.industry.code, canteen.source.code, canteen.custom["region"]) == ("food", "referral", "华南")
    assert not PickItem.objects.filter(name_zh__in=["餐饮", "转介绍"]).exists()


def test_add_unknown_values_to_the_pick_list_once(founder, region_field, demo_org):
    """CUS-4: "add it to the pick-list" — added by the background run, once, even when re-run."""
    job = _run(_upload(founder), default_owner=str(_owner(demo_org).pk), choices={
        "industry": {"餐饮": "add"}, "source": {"转介绍": "add"}, "custom.region": {"华东": "add"}})
    assert job.created_count == 3 and job.error_count == 0
    added = PickItem.objects.get(list_key="customers.industry", name_zh="餐饮")
    assert set(Customer.objects.filter(industry=added).values_list("name", flat=True)) == {
        "广州天河餐饮管理有限公司", "深圳福田餐饮连锁有限公司"}
    assert Customer.objects.get(name="北京朝阳软件有限公司").source.name_zh == "转介绍"
    region_field.refresh_from_db()
    assert region_field.options == ["华南", "华北", "华东"]
    assert Customer.objects.get(name="广州天河餐饮管理有限公司").custom["region"] == "华东"
    # Re-running the job (a retried worker) adds nothing twice.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, next_row=0)
    import_run(job.pk)
    assert PickItem.objects.filter(list_key="customers.industry", name_zh="餐饮").count() == 1
    assert PickItem.objects.filter(list_key="customers.source", name_zh="转介绍").count() == 1
    region_field.refresh_from_db()
    assert region_field.options == ["华南", "华北", "华东"]
    assert Customer.objects.count() == 3


def test_leave_unknown_values_empty(founder, region_field, demo_org):
    """CUS-4: "leave it empty" — the row is imported without the value."""
    job = _run(_upload(founder), default_owner=str(_owner(demo_org).pk), choices={
        "industry": {"餐饮": "empty"}, "source": {"转介绍": "empty"}, "custom.region": {"华东": "empty"}})
    assert job.created_count == 3 and job.error_count == 0
    canteen = Customer.objects.get(name="广州天河餐饮管理有限公司")
    assert canteen.industry is None and canteen.source is None and "region" not in canteen.custom
    assert Customer.objects.get(name="深圳福田餐饮连锁有限公司").source.code == "exhibition"


def test_unknown_values_without_a_decision_do_not_reject_rows(founder, demo_org):
    job = _run(_upload(founder), default_owner=str(_owner(demo_org).pk))
    assert job.created_count == 3 and job.error_count == 0


def test_adding_needs_the_right_to_configure_pick_lists(demo_org):
    seller = _owner(demo_org)

    role = Role.objects.get(code="salesperson")
    role.permissions = sorted(set(role.permissions) | {"customers.import"})
    role.save()
    seller = User.objects.get(pk=seller.pk)
    job = _upload(seller)
    with pytest.raises(ValidationFailed):
        import_start(actor=seller, job=job, mapping=job.mapping, options={"choices": {"industry": {"餐饮": "add"}}})
    with pytest.raises(ValidationFailed):
        import_start(actor=seller, job=job, mapping=job.mapping, options={"choices": {"industry": {"餐饮": "map:nope"}}})
    assert not PickItem.objects.filter(name_zh="餐饮").exists()


def test_first_admin_without_a_branch_is_asked_for_an_owner(founder):
    """CUS-4: an administrator in no branch is asked for a default owner or the pool."""
    job = _upload(founder)
    with pytest.raises(ValidationFailed) as caught:
        import_start(actor=founder, job=job, mapping=job.mapping, options={})
    assert caught.value.errors[0]["field"] == "default_owner"
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.UPLOADED


def test_first_admin_imports_for_a_default_owner(founder, demo_org):
    owner = _owner(demo_org)
    job = _run(_upload(founder), default_owner=str(owner.pk))
    assert job.created_count == 3 and job.error_count == 0
    assert set(Customer.objects.values_list("owner", "branch")) == {(owner.pk, owner.branch_id)}


def test_first_admin_imports_to_the_pool_of_a_branch(founder, demo_org):
    branch = Branch.objects.exclude(pk=_owner(demo_org).branch_id).first()
    job = _run(_upload(founder), default_owner="pool", default_branch=str(branch.pk))
    assert job.created_count == 3 and job.error_count == 0
    assert set(Customer.objects.values_list("owner", "branch")) == {(None, branch.pk)}


def test_the_pool_needs_a_branch(founder):
    job = _upload(founder)
    with pytest.raises(ValidationFailed) as caught:
        import_start(actor=founder, job=job, mapping=job.mapping, options={"default_owner": "pool"})
    assert caught.value.errors[0]["field"] == "default_branch"


def test_mapping_page_asks_about_values_and_owner(founder, region_field, demo_org, client_for,
                                                  django_capture_on_commit_callbacks):
    """CUS-4: the page lists 餐饮 (2 rows) with its choices and the owner question; the
    decisions posted are stored with the job and applied by the run."""
    client = client_for(founder)
    response = client.post("/imports/customers.customer/new/",
                           {"file": SimpleUploadedFile("客户名单.csv", ROWS.encode("utf-8-sig"))})
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "餐饮" in page and 'name="choice_industry_0"' in page and 'value="add"' in page
    assert 'value="map:food"' in page and 'name="default_owner"' in page and 'name="default_branch"' in page
    owner = _owner(demo_org)
    form = {f"column_{i}": v for i, v in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {**form, "choice_industry_0": "add", "choice_source_0": "map:referral",
                                           "choice_custom.region_0": "empty", "default_owner": str(owner.pk),
                                           "start": "1"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 3
    assert job.options["choices"]["source"] == {"转介绍": "map:referral"}
    assert Customer.objects.get(name="广州天河餐饮管理有限公司").industry.name_zh == "餐饮"
