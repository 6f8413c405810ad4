"""Forms of segments: the segment form with its rule builder rows, the member upload, and
the choice of a static list for customers ticked on the customer list."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import segment_rules
from .models import SegmentKind

ROW_KEY = re.compile(r"^field-(\d{1,3})$")
MAX_UPLOAD = 1024 * 1024


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=SegmentKind.choices, initial=SegmentKind.DYNAMIC,
                             widget=forms.RadioSelect)
    # Not required: a static list's form has no rules.
    match = forms.ChoiceField(label=_("Customers who match"), choices=segment_rules.MATCH_CHOICES, initial="all",
                              required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # a segment keeps its kind; a dynamic one becomes a list by freezing
            del self.fields["kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["rules"] = {"match": data.get("match") or "all", "conditions": conditions_from(self.data)}
        return data


def row_indexes(data: Any) -> list[int]:
    return sorted({int(m.group(1)) for key in data for m in [ROW_KEY.match(key)] if m})


def conditions_from(data: Any) -> list[dict[str, Any]]:
    """The builder's rows as conditions (their values checked later by the rules' validation)."""
    return [condition_from(data, i) for i in row_indexes(data) if data.get(f"field-{i}")]


def condition_from(data: Any, i: int) -> dict[str, Any]:
    key, op = data.get(f"field-{i}", ""), data.get(f"op-{i}", "")
    spec = segment_rules.field_for(key)
    value: Any = data.get(f"value-{i}", "")
    kind = spec.kind if spec else ""
    if op == "is_empty":
        value = value != "false"
    elif kind == "tags" and op == "in":
        value = [t.strip() for t in re.split(r"[,，]", value) if t.strip()]
    elif op == "in":
        value = data.getlist(f"value-{i}") if hasattr(data, "getlist") else value
    elif kind == "activity":
        value = {"of": data.get(f"of-{i}", ""), "days": data.get(f"days-{i}", "")}
    elif kind == "period_amount":
        amount = [value, data.get(f"value2-{i}", "")] if op == "between" else value
        value = {"amount": amount, "days": data.get(f"days-{i}", "")}
    elif op == "between":
        value = [value, data.get(f"value2-{i}", "")]
    elif kind == "boolean":
        value = value == "true"
    return {"field": key, "op": op, "value": value}


def row_context(i: int, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a builder row shows: the field list, the field's operators, its value widget."""
    condition = condition or {}
    all_fields = segment_rules.fields()
    spec = segment_rules.field_for(condition.get("field", "")) or all_fields[0]
    op: str = condition["op"] if condition.get("op") in spec.operators else spec.operators[0]
    value = condition.get("value")
    if condition.get("field") != spec.key:
        value = None
    parts = value if isinstance(value, dict) else {}
    amount = parts.get("amount", value if not parts else None)
    first, second = (amount if isinstance(amount, list) else [amount, None])[:2] if op == "between" else \
        (amount, None)
    groups: dict[str, list[Any]] = {}
    for field in all_fields:
        groups.setdefault(str(field.group), []).append(field)
    widget = _widget(spec, op)
    return {
        "i": i, "spec": spec, "op": op, "groups": groups,
        "ops": [(code, spec.op_label(code)) for code in spec.operators],
        "widget": widget, "choices": spec.choice_list() if widget in ("select", "multi", "activity") else [],
        "value": "" if first is None or isinstance(first, (list, bool)) else first,
        "value2": "" if second is None else second,
        "selected": {str(v) for v in value} if isinstance(value, list) else {str(value)} if value else set(),
        "days": parts.get("days", value if op in ("within_days", "not_within_days") else "") or "",
        "of": parts.get("of", ""),
        "tags": "，".join(value) if isinstance(value, list) and spec.kind == "tags" else "",
        "empty": value is not False,
    }


def _widget(spec: segment_rules.RuleField, op: str) -> str:
    if op == "is_empty":
        return "empty"
    if spec.kind == "activity":
        return "activity"
    if spec.kind == "period_amount":
        return "period_between" if op == "between" else "period"
    if op in ("within_days", "not_within_days"):
        return "days"
    if spec.kind == "boolean":
        return "boolean"
    if spec.kind in ("choice", "purchase"):
        return "multi" if op == "in" else "select"
    if spec.kind == "tags":
        return "tags" if op == "in" else "text"
    if spec.kind == "date":
        return "date_between" if op == "between" else "date"
    if spec.kind in ("number", "money"):
        return "number_between" if op == "between" else "number"
    return "text"


class MemberUploadForm(forms.Form):
    file = forms.FileField(label=_("File of customers"), required=False,
                           help_text=_("A text or CSV file: one customer number or exact name per line."))
    text = forms.CharField(label=_("Or paste them"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        text = data.get("text", "")
        if upload:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(_("The file is larger than 1 MB."))
            raw = upload.read(MAX_UPLOAD + 1)
            if b"\x00" in raw:
                raise forms.ValidationError(_("This is not a text or CSV file."))
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding) + "\n" + text
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise forms.ValidationError(_("This is not a text or CSV file."))
        if not text.strip():
            raise forms.ValidationError(_("Choose a file or paste customer numbers or names."))
        data["text"] = text
        return data


class ChooseListForm(forms.Form):
    segment = forms.TypedChoiceField(label=_("Static segment"), coerce=int)

    def __init__(self, *args: Any, segments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [(s.pk, s.name) for s in segments]  # type: ignore[attr-defined]
