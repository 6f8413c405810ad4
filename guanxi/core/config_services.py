"""Writes to configuration: pick-list values and custom field definitions (ORG-7)."""

import hashlib
import re

from django.utils.translation import gettext as _

from . import custom_fields, numbering, picklists, printing
from .errors import Conflict, NotFound, ValidationFailed
from .models import CustomField, CustomFieldType, NumberFormat, PickItem, PrintTemplate
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


@service
def pick_item_ensure(*, actor, list_key, name):
    """The item of ``list_key`` named ``name`` (either language or its code), added at the
    end of the list when missing (imports: "add it to the pick-list"; idempotent)."""
    ensure(actor, "system.configure")
    if picklists.get(list_key) is None:
        raise NotFound()
    name = (name or "").strip()[:60]
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    items = PickItem.objects.select_for_update().filter(list_key=list_key)
    for item in items:
        if name.lower() in (item.code, item.name_zh.lower(), item.name_en.lower()):
            return item
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    code = f"x{digest}"
    position = max([item.position for item in items] or [0]) + 1
    return validated_save(PickItem(list_key=list_key, code=code, name_zh=name, name_en=name, position=position))


@service
def custom_field_option_ensure(*, actor, field, option):
    """Add ``option`` to a choice field's options unless it is there; return the option."""
    ensure(actor, "system.configure")
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    option = (option or "").strip()[:60]
    if field.field_type not in (CustomFieldType.CHOICE, CustomFieldType.MULTI) or not option:
        raise ValidationFailed(_("Only choice fields have options."), field="options")
    if option not in field.options:
        field.options = [*field.options, option]
        field.save(update_fields=["options"])
    return option


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


# --- document numbers and print templates (ORG-7) -----------------------------------------
@service
def number_format_save(*, actor, doc_type, prefix, width, reset):
    """Change how a document type is numbered; numbers already given stay as they are."""

    ensure(actor, "system.configure")
    if doc_type not in numbering.DEFAULT_PREFIXES:
        raise NotFound()
    prefix = (prefix or "").strip().upper()
    if not re.match(r"^[A-Z][A-Z0-9]{0,9}$", prefix):
        raise ValidationFailed(_("A prefix is 1–10 capital letters or digits, starting with a letter."),
                               field="prefix")
    if not 3 <= int(width) <= 12:
        raise ValidationFailed(_("Between 3 and 12 digits."), field="width")
    if reset not in NumberFormat.Reset.values:
        raise ValidationFailed(_("Choose when numbering restarts."), field="reset")
    fmt = NumberFormat.objects.select_for_update().filter(doc_type=doc_type).first() or NumberFormat(doc_type=doc_type)
    fmt.prefix, fmt.width, fmt.reset = prefix, int(width), reset
    return validated_save(fmt)


@service
def print_template_save(*, actor, doc_type, name, html, is_active=True, template=None):
    """Save an administrator's print template (checked: no tags that reach outside it).
    The active one replaces the default; at most one is active per document type."""

    ensure(actor, "system.configure")
    if doc_type not in printing.doc_types():
        raise NotFound()
    printing.validate_template(html)
    _label, sample = printing.doc_types()[doc_type]
    printing.render_html(doc_type, sample(), template_html=html)  # renders with sample data, or says why not
    template = template or PrintTemplate(doc_type=doc_type)
    if template.doc_type != doc_type:
        raise NotFound()
    template.name, template.html, template.is_active = (name or "").strip()[:100] or doc_type, html, is_active
    validated_save(template)
    if is_active:
        PrintTemplate.objects.filter(doc_type=doc_type, is_active=True).exclude(pk=template.pk).update(is_active=False)
    return template
