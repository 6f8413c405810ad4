"""Writes to configuration: pick-list values and custom field definitions (ORG-7)."""

import re

from django.utils.translation import gettext as _

from . import custom_fields, picklists
from .errors import Conflict, NotFound, ValidationFailed
from .models import CustomField, CustomFieldType, PickItem
from .permissions import ensure
from .services import assign_fields, service, validated_save

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@service
def pick_item_save(*, actor, list_key, item=None, code="", name_zh, name_en, position=0, is_active=True):
    ensure(actor, "system.configure")
    if picklists.get(list_key) is None:
        raise NotFound()
    if item is None:
        code = (code or "").strip().lower()
        if not KEY_RE.match(code):
            raise ValidationFailed(_("Use lower-case letters, digits and underscores, starting with a letter."),
                                   field="code")
        if PickItem.objects.filter(list_key=list_key, code=code).exists():
            raise Conflict(_("This code is used already."), field="code")
        item = PickItem(list_key=list_key, code=code)
    elif item.list_key != list_key:
        raise NotFound()
    assign_fields(item, {"name_zh", "name_en", "position", "is_active"},
                  {"name_zh": name_zh.strip(), "name_en": name_en.strip(), "position": position,
                   "is_active": is_active})
    return validated_save(item)


def _options(raw):
    if isinstance(raw, str):
        raw = [line.strip() for line in raw.replace("，", "\n").replace(",", "\n").splitlines()]
    options = []
    for option in raw or []:
        option = str(option).strip()[:60]
        if option and option not in options:
            options.append(option)
    return options


@service
def custom_field_save(*, actor, entity, field=None, key="", label_zh, label_en, field_type, options=(),
                      required=False, position=0, is_active=True):
    ensure(actor, "system.configure")
    if entity not in custom_fields.entities():
        raise NotFound()
    if field is None:
        key = (key or "").strip().lower()
        if not KEY_RE.match(key):
            raise ValidationFailed(_("Use lower-case letters, digits and underscores, starting with a letter."),
                                   field="key")
        if CustomField.objects.filter(entity=entity, key=key).exists():
            raise Conflict(_("This key is used already."), field="key")
        field = CustomField(entity=entity, key=key, field_type=field_type)
    elif field.field_type != field_type:
        raise ValidationFailed(_("The type of a field cannot change once values exist; add a new field."),
                               field="field_type")
    options = _options(options)
    if field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI) and not options:
        raise ValidationFailed(_("Give at least one choice, one per line."), field="options")
    assign_fields(field, {"label_zh", "label_en", "options", "required", "position", "is_active"}, {
        "label_zh": label_zh.strip(), "label_en": label_en.strip(), "options": options, "required": required,
        "position": position, "is_active": is_active,
    })
    return validated_save(field)
