"""Insert many customers at once (imports, demo data, benchmarks).

Rows are validated and normalized like ``customer_create`` does one by one, checked for
exact duplicates (same normalized name, phone or e-mail) against the database and
within the batch, and the good ones are written in one transaction: a batch is all or
nothing, so a crash leaves no half batch behind.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.fastinsert import insert_objects

from . import regions
from .merge import similarity
from .models import (
    Contact,
    Customer,
    CustomerCategory,
    CustomerKind,
    DuplicateFlag,
    OwnershipChange,
    OwnershipEvent,
)
from .normalize import MAX_NAME, name_core, normalize_email, normalize_name, normalize_phone
from .tokens import name_tokens


@dataclass
class CustomerRow:
    name: str
    kind: str = CustomerKind.COMPANY
    category: str = CustomerCategory.PROSPECT
    industry: object = None
    source: object = None
    level: object = None
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    mobile: str = ""
    phone: str = ""
    email: str = ""
    wechat: str = ""
    qq: str = ""
    website: str = ""
    credit_limit: object = Decimal("0")
    notes: str = ""
    custom: dict = field(default_factory=dict)
    owner: object = None
    branch: object = None
    created_at: datetime.datetime | None = None
    next_follow_up_on: datetime.date | None = None
    line: int = 0  # the row's number in its file, for error reports


@dataclass
class BulkResult:
    created: int = 0
    duplicates: list = field(default_factory=list)  # (line, existing customer id or None, reason)
    errors: list = field(default_factory=list)  # (line, field, message)
    created_ids: list = field(default_factory=list)
    merged_lines: set = field(default_factory=set)
    # Created but maybe the same as another customer: (line, customer, similar customer id
    # or object of the same batch, reason "similar" | "phone", score)
    possible: list = field(default_factory=list)


def _row_errors(row):
    errors = []
    if not row.name or not row.name.strip():
        errors.append(("name", _("Enter the customer's name.")))
    elif len(row.name) > MAX_NAME:
        errors.append(("name", _("A name has at most %(n)d characters.") % {"n": MAX_NAME}))
    if row.kind not in CustomerKind.values:
        errors.append(("kind", _("Choose one of: %(options)s.") % {"options": ", ".join(CustomerKind.values)}))
    if row.category not in CustomerCategory.values:
        errors.append(("category", _("Choose one of: %(options)s.") % {"options": ", ".join(CustomerCategory.values)}))
    for region_field, problem in regions.check(row.province, row.city, row.district):
        errors.append((region_field, _("Not a region of China: %(value)s") % {"value": getattr(row, region_field)}
                       if problem == "unknown" else _("The region levels do not fit together.")))
    try:
        credit = Decimal(str(row.credit_limit or "0").replace(",", ""))
        if credit < 0 or not credit.is_finite() or credit >= Decimal("1e12"):
            raise InvalidOperation
        row.credit_limit = credit.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.append(("credit_limit", _("Enter an amount of 0 or more.")))
    if row.branch is None:
        errors.append(("owner", _("No branch: give an owner or import as someone with a branch.")))
    return errors


def _pk(obj):
    return obj.pk if obj is not None else None


def _build(row, actor, now):
    # Ids, not objects, for the foreign keys: setting related objects costs more than the
    # rest of the row on an import of a million.
    customer = Customer(
        name=row.name.strip(), kind=row.kind, category=row.category, industry_id=_pk(row.industry),
        source_id=_pk(row.source), level_id=_pk(row.level),
        province=row.province or "", city=row.city or "", district=row.district or "",
        address=(row.address or "")[:300], mobile=(row.mobile or "")[:30], phone=(row.phone or "")[:30],
        email=(row.email or "")[:254], wechat=(row.wechat or "")[:60], qq=(row.qq or "")[:20],
        website=(row.website or "")[:300], credit_limit=row.credit_limit, notes=(row.notes or "")[:5000],
        custom=row.custom or {}, owner_id=_pk(row.owner), branch_id=_pk(row.branch), created_by_id=actor.pk,
        owned_since=now if row.owner else None, next_follow_up_on=row.next_follow_up_on,
    )
    customer.created_at = row.created_at or now
    customer.name_norm = normalize_name(customer.name)[:MAX_NAME]
    customer.name_core = name_core(customer.name_norm)
    return customer


def _normalize(customer):
    errors = []
    if not customer.name_norm:
        errors.append(("name", _("The name needs letters or characters, not only symbols.")))
    for field_name in ("mobile", "phone"):
        try:
            setattr(customer, f"{field_name}_norm", normalize_phone(getattr(customer, field_name))[0])
        except ValidationError as exc:
            errors.append((field_name, exc.messages[0]))
    try:
        customer.email_norm = normalize_email(customer.email)
    except ValidationError as exc:
        errors.append(("email", exc.messages[0]))
    return errors


def _existing(names, phones, emails):
    """Return {("name"|"phone"|"email", value): customer id} for live customers."""
    found = {}
    for chunk_start in range(0, max(len(names), len(phones), len(emails)), 500):
        name_chunk = names[chunk_start:chunk_start + 500]
        phone_chunk = phones[chunk_start:chunk_start + 500]
        email_chunk = emails[chunk_start:chunk_start + 500]
        if name_chunk:
            for pk, value in Customer.objects.filter(name_norm__in=name_chunk).values_list("pk", "name_norm"):
                found.setdefault(("name", value), pk)
        if phone_chunk:
            # One column per query: an OR of two IN lists often makes planners scan the table.
            for model, key in ((Customer, "pk"), (Contact, "customer_id")):
                for column in ("phone_norm", "mobile_norm"):
                    for owner_id, value in model.objects.filter(**{f"{column}__in": phone_chunk}).values_list(
                            key, column):
                        found.setdefault(("phone", value), owner_id)
        if email_chunk:
            for pk, value in Customer.objects.filter(email_norm__in=email_chunk).values_list("pk", "email_norm"):
                found.setdefault(("email", value), pk)
    return found


def prepare(rows, *, actor):
    """Validate and normalize rows; return (customers, result with errors and duplicates).

    Nothing is written. Exact duplicates (against the database and earlier rows of the
    same batch) are left out and listed.
    """
    now = timezone.now()
    result = BulkResult()
    candidates = []
    for row in rows:
        errors = _row_errors(row)
        customer = None if errors else _build(row, actor, now)
        if customer is not None:
            errors = _normalize(customer)
        if errors:
            result.errors.extend((row.line, field_name, message) for field_name, message in errors)
            continue
        candidates.append((row, customer))
    existing = _existing(
        sorted({c.name_norm for _r, c in candidates}),
        sorted({p for _r, c in candidates for p in (c.phone_norm, c.mobile_norm) if p}),
        sorted({c.email_norm for _r, c in candidates if c.email_norm}),
    )
    cores = _existing_cores(sorted({c.name_core for _r, c in candidates if len(c.name_core) >= 2}))
    seen, seen_phones = {}, {}
    customers = []
    for row, customer in candidates:
        # The same name or e-mail is the same customer: left out. The same phone under
        # another name, or a similar name, may be: created and flagged for review.
        keys = [("name", customer.name_norm)] + ([("email", customer.email_norm)] if customer.email_norm else [])
        clash = next((k for k in keys if k in existing or k in seen), None)
        if clash is not None:
            result.duplicates.append((row.line, existing.get(clash) or seen.get(clash), clash[0]))
            continue
        for key in keys:
            seen[key] = None
        phones = [p for p in (customer.phone_norm, customer.mobile_norm) if p]
        same_phone = next((existing.get(("phone", p)) or seen_phones.get(p) for p in phones
                           if ("phone", p) in existing or p in seen_phones), None)
        for phone in phones:
            seen_phones.setdefault(phone, customer)
        similar = [(pk, norm) for pk, norm in cores.get(customer.name_core, ()) if norm != customer.name_norm]
        if same_phone is not None:
            result.possible.append((row.line, customer, same_phone, "phone", 100))
        elif similar:
            pk, norm = similar[0]
            result.possible.append((row.line, customer, pk, "similar", similarity([customer.name_norm, norm])))
        customer.search_tokens = " ".join(name_tokens(customer.name_norm))
        customers.append(customer)
    return customers, result


def _existing_cores(cores):
    """{name_core: [(customer id, name_norm)]} of live customers, oldest first."""
    found = {}
    for start in range(0, len(cores), 500):
        rows = (Customer.objects.filter(name_core__in=cores[start:start + 500])
                .order_by("pk").values_list("pk", "name_core", "name_norm"))
        for pk, core, norm in rows:
            found.setdefault(core, []).append((pk, norm))
    return found


def flag_possible(possible, *, source):
    """Record the possible duplicates of written customers for the duplicate scan."""
    DuplicateFlag.objects.bulk_create([
        DuplicateFlag(customer_id=customer.pk, similar_to_id=getattr(other, "pk", other), reason=reason,
                      score=score, source=source[:100])
        for _line, customer, other, reason, score in possible if customer.pk and getattr(other, "pk", other)
    ])


def customers_bulk_insert(*, actor, rows, source="import", batch_size=2000):
    """Validate, de-duplicate and insert rows; each batch in its own transaction."""
    total = BulkResult()
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        customers, result = prepare(batch, actor=actor)
        total.errors.extend(result.errors)
        total.duplicates.extend(result.duplicates)
        with transaction.atomic():
            created = write(customers, actor=actor, reason=source)
        total.created += len(created)
        total.created_ids.extend(c.pk for c in created)
    return total


def write(customers, *, actor, reason):
    """Insert prepared customers and their ownership records (call inside a transaction)."""

    if not customers:
        return []
    for customer in customers:
        customer.updated_at = customer.created_at
    created = insert_objects(Customer, customers)
    insert_objects(OwnershipChange, [
        OwnershipChange(customer_id=c.pk, event=OwnershipEvent.CREATED, to_user_id=c.owner_id, actor=actor,
                        reason=reason[:300], created_at=c.created_at)
        for c in created
    ])
    return created
