"""Lead imports (SAL-1): a spreadsheet of leads from a fair, a purchased list or a web
shop, through the same resumable import job as customers. A lead whose mobile or e-mail
is already a lead's is skipped as a duplicate."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from guanxi.core import imports, picklists
from guanxi.core.imports import Importer, TargetField
from guanxi.customers.importer import pick_list_target
from guanxi.customers.normalize import normalize_email, normalize_phone, phone_or_none
from guanxi.org.scopes import scoped

from .models import Lead

FIELDS = [
    TargetField("company", gettext_lazy("Company"), ("公司", "公司名称", "单位", "企业名称", "客户名称", "company name"),
                required=True),
    TargetField("name", gettext_lazy("Contact person"), ("联系人", "姓名", "contact", "name")),
    TargetField("title", gettext_lazy("Job title"), ("职务", "职位", "title")),
    TargetField("mobile", gettext_lazy("Mobile"), ("手机", "手机号", "手机号码", "电话", "mobile", "phone")),
    TargetField("email", gettext_lazy("E-mail"), ("邮箱", "电子邮件", "mail")),
    TargetField("source", gettext_lazy("Source"), ("来源", "线索来源")),
    TargetField("notes", gettext_lazy("Remarks"), ("备注", "说明", "remark", "note")),
]


@dataclass
class LeadBatch:
    created: int = 0
    duplicates: list = field(default_factory=list)  # (line, existing lead id, reason)
    errors: list = field(default_factory=list)  # (line, field, message)
    merged_lines: set = field(default_factory=set)


def write_batch(job, rows, dry_run=False):
    """Validate one batch (all of a row's problems at once), skip duplicates, write the rest."""

    actor = job.created_by
    result = LeadBatch()
    sources = {name.lower(): item for item in picklists.items("customers.source")
               for name in (item.code, item.name_zh, item.name_en)}
    built, in_batch = [], set()
    for line, record in rows:
        values = {k: (record.get(k) or "").strip() for k in ("company", "name", "title", "mobile", "email", "notes")}
        errors = []
        for key, check in (("mobile", normalize_phone), ("email", normalize_email)):
            if values[key]:
                try:
                    check(values[key])
                except ValidationError as exc:
                    errors.append((line, key, exc.messages[0]))
        source_text = (record.get("source") or "").strip()
        source = sources.get(source_text.lower()) if source_text else None
        if source_text and source is None:  # what the mapping step decided, else left empty
            source = sources.get((imports.decided(job, "source", source_text) or "").lower())
        lead = Lead(owner=actor, branch_id=actor.branch_id, source=source, **values)
        lead.mobile_norm = phone_or_none(lead.mobile) or ""  # bulk_create skips save(): the search column
        try:
            lead.full_clean(exclude=["owner", "branch"])
        except ValidationError as exc:
            errors.extend((line, name, messages[0]) for name, messages in exc.message_dict.items())
        if errors:
            result.errors.extend(errors)
            continue
        keys = [(k, values[k]) for k in ("mobile", "email") if values[k]]
        clash = next((k for k in keys if k in in_batch), None)
        if clash:
            result.duplicates.append((line, None, clash[0]))
            continue
        in_batch.update(keys)
        built.append((line, lead, keys))
    visible = scoped(Lead.objects.all(), actor, extra=False)
    existing = {("mobile", m): pk for pk, m in visible.filter(
        mobile__in=[lead.mobile for _l, lead, _k in built if lead.mobile]).values_list("pk", "mobile")}
    existing |= {("email", e): pk for pk, e in visible.filter(
        email__in=[lead.email for _l, lead, _k in built if lead.email]).values_list("pk", "email")}
    fresh = []
    for line, lead, keys in built:
        clash = next((k for k in keys if k in existing), None)
        if clash:
            result.duplicates.append((line, existing[clash], clash[0]))
        else:
            fresh.append(lead)
    if not dry_run and fresh:
        Lead.objects.bulk_create(fresh, batch_size=500)
    result.created = len(fresh)
    return result


def choice_targets():
    return [pick_list_target("source", "customers.source", gettext_lazy("Source"))]


IMPORTER = Importer(entity="sales.lead", label=gettext_lazy("Leads"), permission="sales.create",
                    targets=lambda: list(FIELDS), write_batch=write_batch, tables=("sales_lead",),
                    choice_targets=choice_targets)
