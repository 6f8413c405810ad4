"""Customer imports (CUS-4 data in, CUS-5 duplicates): target fields with Chinese and
English header aliases, and the batch writer the import job calls."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import config_services, custom_fields, imports, picklists
from guanxi.core.errors import ValidationFailed
from guanxi.core.imports import ChoiceTarget, Importer, TargetField, decided
from guanxi.core.models import CustomFieldType
from guanxi.org.models import Branch, User
from guanxi.org.selectors import branch_choices

from . import bulk, regions
from .models import Customer, CustomerCategory, CustomerKind
from .normalize import normalize_email, normalize_phone
from .selectors import customers_editable_by
from .services import _prepare_customer

BASE_FIELDS = [
    TargetField("name", gettext_lazy("Name"), ("客户名称", "名称", "公司名称", "企业名称", "客户", "公司", "customer",
                                                "company", "customer name", "company name"), required=True),
    TargetField("kind", gettext_lazy("Type"), ("类型", "客户类型", "type")),
    TargetField("category", gettext_lazy("Category"), ("分类", "客户分类", "类别")),
    TargetField("industry", gettext_lazy("Industry"), ("行业", "所属行业")),
    TargetField("source", gettext_lazy("Source"), ("来源", "客户来源")),
    TargetField("level", gettext_lazy("Level"), ("级别", "客户级别", "等级")),
    TargetField("province", gettext_lazy("Province"), ("省", "省份", "省/直辖市")),
    TargetField("city", gettext_lazy("City"), ("市", "城市", "地市")),
    TargetField("district", gettext_lazy("District"), ("区", "区县", "县区")),
    TargetField("address", gettext_lazy("Address"), ("地址", "详细地址", "公司地址")),
    TargetField("mobile", gettext_lazy("Mobile"), ("手机", "手机号", "手机号码", "cell", "cellphone")),
    TargetField("phone", gettext_lazy("Phone"), ("电话", "座机", "固话", "联系电话", "tel", "telephone")),
    TargetField("email", gettext_lazy("E-mail"), ("邮箱", "电子邮件", "电子邮箱", "mail")),
    TargetField("wechat", gettext_lazy("WeChat"), ("微信", "微信号")),
    TargetField("qq", "QQ", ("qq号",)),
    TargetField("website", gettext_lazy("Website"), ("网址", "网站", "官网", "url")),
    TargetField("credit_limit", gettext_lazy("Credit limit"), ("信用额度", "授信额度")),
    TargetField("notes", gettext_lazy("Remarks"), ("备注", "说明", "remark", "note")),
    TargetField("owner", gettext_lazy("Owner"), ("负责人", "负责人账号", "销售", "业务员", "所属人")),
    # When the customer came to the company (another system's records): counts by period
    # (new customers per month, per person) then mean that date, not the day of the import.
    TargetField("created_at", gettext_lazy("Created"), ("创建时间", "创建日期", "建档日期", "建档时间", "录入时间",
                                                       "录入日期", "登记日期", "created", "created at", "date created")),
]
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
TIME_FORMATS = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S")


def creation_time(text):
    """A creation date or time as people and spreadsheets write it, in the current time zone
    (Asia/Shanghai by default); ValueError when it is none of these forms."""
    for date_format in DATE_FORMATS:
        for time_format in TIME_FORMATS:
            try:
                parsed = datetime.datetime.strptime(text, date_format + time_format)
            except ValueError:
                continue
            return timezone.make_aware(parsed)
    raise ValueError(text)


def target_fields():
    fields = list(BASE_FIELDS)
    for definition in custom_fields.definitions("customers.customer"):
        fields.append(TargetField(f"custom.{definition.key}", definition.label,
                                  (definition.label_zh, definition.label_en, definition.key), definition.required))
    return fields


PICK_LISTS = (("industry", "customers.industry"), ("source", "customers.source"), ("level", "customers.level"))


def pick_list_target(field_name, key, label):
    items = list(picklists.items(key))
    names = {name.lower(): item.code for item in items for name in (item.code, item.name_zh, item.name_en)}
    return ChoiceTarget(
        key=field_name, label=label, options=[(item.code, item.name) for item in items],
        match=lambda text: names.get(text.lower()),
        add=lambda actor, text: config_services.pick_item_ensure(actor=actor, list_key=key, name=text).code)


def _custom_target(definition):
    options = [str(option) for option in definition.options]
    return ChoiceTarget(
        key=f"custom.{definition.key}", label=definition.label, options=[(o, o) for o in options],
        match=lambda text: text if text in options else None,
        add=lambda actor, text: config_services.custom_field_option_ensure(actor=actor, field=definition,
                                                                           option=text),
        multiple=definition.field_type == CustomFieldType.MULTI)


def choice_targets():
    """The list fields whose unknown values are decided at the mapping step (issue 11.4)."""
    labels = {target.key: target.label for target in BASE_FIELDS}
    targets = [pick_list_target(field_name, key, labels[field_name]) for field_name, key in PICK_LISTS]
    return targets + [_custom_target(d) for d in custom_fields.definitions("customers.customer")
                      if d.field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI)]


def owner_question(actor):
    """A first administrator in no branch chooses an owner (or a branch's pool) for rows
    without one, instead of every row failing for want of a branch."""
    if actor.branch_id is not None:
        return None
    owners = User.objects.filter(is_active=True, branch__isnull=False).select_related("branch").order_by(
        "branch__name", "username")
    if not actor.has_module_perm("customers.transfer"):
        owners = owners.none()  # giving customers to others is a transfer; the pool remains
    return {"owners": [(user.pk, f"{user.get_full_name() or user.username} · {user.branch.name}") for user in owners],
            "branches": branch_choices()}


def _choice(text, choices):
    text = (text or "").strip()
    if not text:
        return None, True
    for value, label in choices:
        if text.lower() in (value, str(label).lower()):
            return value, True
    return None, False


def _pick(job, field_name, key, text, cache):
    """The pick-list item a cell names; an unknown value gets what the mapping step decided
    (an item, or nothing), never an error."""
    text = (text or "").strip()
    if not text:
        return None
    if key not in cache:
        cache[key] = {}
        for item in picklists.items(key):
            for name in (item.code, item.name_zh, item.name_en):
                cache[key][name.lower()] = item
    item = cache[key].get(text.lower())
    if item is None:
        code = decided(job, field_name, text)
        item = cache[key].get(code.lower()) if code else None
    return item


def _custom_choices(job, custom, cache):
    """Unknown values of choice fields, replaced as the mapping step decided."""
    if "choice_fields" not in cache:
        cache["choice_fields"] = {d.key: d for d in custom_fields.definitions("customers.customer")
                                  if d.field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI)}
    for key, definition in cache["choice_fields"].items():
        if key not in custom:
            continue
        options = [str(o) for o in definition.options]
        target = _custom_target(definition)
        values = []
        for value in target.values(custom[key]):
            value = value if value in options else decided(job, f"custom.{key}", value)
            if value:
                values.append(value)
        if values:
            custom[key] = ",".join(values) if target.multiple else values[0]
        else:
            del custom[key]
    return custom


def _region(record):
    province, city, district = (record.get(k, "") for k in ("province", "city", "district"))
    if province.isdigit() or city.isdigit() or district.isdigit():
        return province, city, district
    return regions.resolve(province, city, district)


def to_row(job, line, record, actor, cache):
    """Return (CustomerRow, errors) for one mapped record."""
    errors = []
    row = bulk.CustomerRow(name=record.get("name", ""), line=line)
    for field_name in ("address", "mobile", "phone", "email", "wechat", "qq", "website", "notes"):
        setattr(row, field_name, record.get(field_name, ""))
    for field_name, choices, default in (("kind", CustomerKind.choices, CustomerKind.COMPANY),
                                         ("category", CustomerCategory.choices, CustomerCategory.PROSPECT)):
        value, ok = _choice(record.get(field_name), choices)
        if not ok:
            errors.append((field_name, _("Unknown value “%(value)s”.") % {"value": record.get(field_name)}))
        setattr(row, field_name, value or default)
    for field_name, key in PICK_LISTS:
        setattr(row, field_name, _pick(job, field_name, key, record.get(field_name), cache))
    row.province, row.city, row.district = _region(record)
    if any(record.get(k) for k in ("province", "city", "district")) and not row.province:
        errors.append(("province", _("Not a region of China: %(value)s") % {"value": record.get("province", "")}))
    row.credit_limit = record.get("credit_limit") or "0"
    created = (record.get("created_at") or "").strip()
    if created:
        try:
            row.created_at = creation_time(created)
        except ValueError:
            errors.append(("created_at", _("Not a date: “%(value)s” (write it like 2024-05-17 or 2024-05-17 14:30).")
                           % {"value": created}))
        else:
            if row.created_at > timezone.now():
                errors.append(("created_at", _("The creation date “%(value)s” is in the future.") % {"value": created}))
    # Every problem of a row at once, not only the first: phones and e-mail too.
    for field_name, check in (("mobile", normalize_phone), ("phone", normalize_phone), ("email", normalize_email)):
        try:
            check(record.get(field_name, ""))
        except ValidationError as exc:
            errors.append((field_name, exc.messages[0]))
    owner_name = (record.get("owner") or "").strip()
    default_owner = job.options.get("default_owner") or ""
    if owner_name and owner_name != actor.username:
        if not actor.has_module_perm("customers.transfer"):
            errors.append(("owner", _("You may only import customers for yourself.")))
        elif owner_name in ("公海", "pool"):
            row.owner = None
        else:
            if "users" not in cache:
                cache["users"] = {u.username: u for u in User.objects.filter(is_active=True)}
            row.owner = cache["users"].get(owner_name)
            if row.owner is None:
                errors.append(("owner", _("No active employee with the username “%(name)s”.") % {"name": owner_name}))
    elif default_owner == "pool":
        row.owner = None
    elif default_owner:
        if "default_owner" not in cache:
            cache["default_owner"] = User.objects.select_related("branch").filter(pk=default_owner).first()
        row.owner = cache["default_owner"]
    else:
        row.owner = actor
    row.branch = row.owner.branch if row.owner is not None else actor.branch
    if row.branch is None and job.options.get("default_branch"):
        if "default_branch" not in cache:
            cache["default_branch"] = Branch.objects.filter(pk=job.options["default_branch"]).first()
        row.branch = cache["default_branch"]
    custom = _custom_choices(job, {k.split(".", 1)[1]: v for k, v in record.items() if k.startswith("custom.") and v},
                             cache)
    if "custom_required" not in cache:
        cache["custom_required"] = any(d.required for d in custom_fields.definitions("customers.customer"))
    if custom or cache["custom_required"]:
        try:
            row.custom = custom_fields.clean_custom_values(Customer, custom)
        except ValidationFailed as exc:
            errors.extend((e["field"], e["message"]) for e in exc.errors)
    return row, errors


def write_batch(job, rows, dry_run=False):
    """Validate, de-duplicate and (unless ``dry_run``) write one batch of mapped rows."""
    actor = job.created_by
    cache = {}
    customer_rows, errors = [], []
    for line, record in rows:
        row, row_errors = to_row(job, line, record, actor, cache)
        if row_errors:
            errors.extend((line, f, m) for f, m in row_errors)
        else:
            customer_rows.append(row)
    customers, result = bulk.prepare(customer_rows, actor=actor)
    result.errors = errors + result.errors
    result.merged_lines = set()
    if job.options.get("on_duplicate") == "merge":
        result.merged_lines = _merge(customer_rows, result.duplicates, actor, dry_run)
    if not dry_run:
        source = _("Import #%(id)s") % {"id": job.pk}
        created = bulk.write(customers, actor=actor, reason=source)
        bulk.flag_possible(result.possible, source=source)
        result.created = len(created)
    else:
        result.created = len(customers)
    result.notes = [(line, "possible_duplicate", _possible_note(other, reason))
                    for line, _customer, other, reason, _score in result.possible]
    return result


def _possible_note(other, reason):
    other = getattr(other, "pk", other)
    if reason == "phone":
        return _("Imported; possibly the same as customer #%(id)s (the same phone under another name): "
                 "review it on the duplicate scan.") % {"id": other or "?"}
    return _("Imported; possibly the same as customer #%(id)s (a similar name): review it on the duplicate "
             "scan.") % {"id": other or "?"}


MERGE_FIELDS = ["mobile", "phone", "email", "wechat", "qq", "website", "address", "province", "city", "district",
                "industry", "source", "level", "notes"]


def _merge(rows, duplicates, actor, dry_run):
    """Fill an existing customer's empty fields from the duplicate row (never its owner or
    name); only customers the importer may edit."""

    by_line = {row.line: row for row in rows}
    ids = [existing for _line, existing, _reason in duplicates if existing]
    editable = {c.pk: c for c in customers_editable_by(actor).filter(pk__in=ids)}
    merged = set()
    for line, existing, _reason in duplicates:
        customer = editable.get(existing)
        row = by_line.get(line)
        if customer is None or row is None:
            continue
        changed = []
        for field_name in MERGE_FIELDS:
            value = getattr(row, field_name)
            if value and not getattr(customer, field_name):
                setattr(customer, field_name, value)
                changed.append(field_name)
        merged.add(line)
        if changed and not dry_run:
            try:
                _prepare_customer(customer)
            except ValidationFailed:
                merged.discard(line)  # the imported values do not pass: keep the customer as it was
                continue
            customer.save(update_fields=changed + ["phone_norm", "mobile_norm", "email_norm", "updated_at"])
    return merged


IMPORTER = Importer(entity="customers.customer", label=gettext_lazy("Customers"), permission="customers.import",
                    targets=target_fields, write_batch=write_batch,
                    tables=("customers_customer", "customers_ownershipchange"),
                    choice_targets=choice_targets, owner_question=owner_question)


def register():
    imports.register(IMPORTER)

