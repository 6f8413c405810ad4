"""Industry news and competitor intelligence (WRK-3, WRK-4, ANA-12): posted by staff,
tagged, read at every level. Intelligence names a competitor (a customer of category
competitor) and may record a product and its price."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from guanxi.core.errors import Forbidden, ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.customers.models import CustomerCategory
from guanxi.org.scopes import ensure_in_scope, scoped
from guanxi.org.services import purge_in_scope, restore_in_scope

from .models import NewsItem, NewsKind, NewsTag
from .richtext import sanitize

NEWS_FIELDS = {"title", "body", "source", "source_url", "visibility", "kind", "competitor", "intel_type",
               "product", "price", "currency"}
MAX_TAGS = 10


def clean_tag_names(names):
    """Tags from a list or a comma/space separated string: trimmed, unique, at most ten."""
    if isinstance(names, str):
        names = re.split(r"[,，;；\s]+", names)
    found = []
    for name in names or ():
        name = str(name).strip().lstrip("#")[:30]
        if name and name.lower() not in {f.lower() for f in found}:
            found.append(name)
    if len(found) > MAX_TAGS:
        raise ValidationFailed(_("At most %(n)d tags.") % {"n": MAX_TAGS}, field="tags")
    return found


def _set_tags(item, names):
    tags = [NewsTag.objects.get_or_create(name=name)[0] for name in clean_tag_names(names)]
    item.tags.set(tags)


def _clean(item):
    item.title = (item.title or "").strip()
    item.body = sanitize(item.body)
    item.source = (item.source or "").strip()
    url = (item.source_url or "").strip()
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        raise ValidationFailed(_("Give a link that starts with http:// or https://."), field="source_url")
    item.source_url = url
    item.currency = (item.currency or "CNY").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", item.currency):
        raise ValidationFailed(_("A currency is three letters, such as CNY."), field="currency")
    if item.price is not None:
        try:
            item.price = Decimal(str(item.price)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationFailed(_("Give the price as a number."), field="price")
    if item.kind == NewsKind.COMPETITOR:
        if item.competitor is None:
            raise ValidationFailed(_("Choose the competitor this is about."), field="competitor")
        if item.competitor.category != CustomerCategory.COMPETITOR:
            raise ValidationFailed(_("%(name)s is not recorded as a competitor.") % {"name": item.competitor},
                                   field="competitor")
        item.intel_type = item.intel_type or "other"
    else:
        item.competitor, item.intel_type, item.product, item.price = None, "", "", None


@service
def news_create(*, actor, title, body="", tags=(), **data):
    ensure(actor, "workplace.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    item = NewsItem(owner=actor, branch_id=actor.branch_id, title=title, body=body)
    assign_fields(item, NEWS_FIELDS - {"title", "body"}, data)
    _clean(item)
    validated_save(item)
    _set_tags(item, tags)
    return item


def _editable(actor, item, permission):
    ensure(actor, permission)
    ensure_in_scope(actor, item)
    # Reading is company-wide; changing is for the author and managers over the author.
    if not scoped(NewsItem.all_objects.filter(pk=item.pk), actor, extra=False).exists():
        raise Forbidden(_("Only the author or their manager changes this item."))
    return NewsItem.all_objects.select_for_update().get(pk=item.pk)


@service
def news_update(*, actor, item, tags=None, **data):
    item = _editable(actor, item, "workplace.edit")
    assign_fields(item, NEWS_FIELDS, data)
    _clean(item)
    validated_save(item)
    if tags is not None:
        _set_tags(item, tags)
    return item


@service
def news_delete(*, actor, item):
    item = _editable(actor, item, "workplace.delete")
    soft_delete(item, actor=actor)


@service
def news_restore(*, actor, item):
    return restore_in_scope(actor, item)


@service
def news_purge(*, actor, item):
    purge_in_scope(actor, item)
