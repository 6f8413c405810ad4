"""Configuration screens: pick-lists and custom fields (ORG-7)."""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import custom_fields, picklists
from guanxi.core.config_services import custom_field_save, pick_item_save
from guanxi.core.forms import form_page
from guanxi.core.models import CustomField, CustomFieldType, PickItem
from guanxi.core.permissions import require


class PickItemForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40, required=False)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=60)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=60)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, max_value=9999, initial=0)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


class CustomFieldForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=40, required=False,
                          help_text=gettext_lazy("Letters, digits and underscores; used in the API and in imports."))
    label_zh = forms.CharField(label=gettext_lazy("Label (Chinese)"), max_length=60)
    label_en = forms.CharField(label=gettext_lazy("Label (English)"), max_length=60)
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CustomFieldType.choices)
    options = forms.CharField(label=gettext_lazy("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("For choice fields: one option per line."))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, max_value=9999, initial=0)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


@require("system.configure")
def picklist_index(request):
    lists = [(pick_list, list(picklists.items(pick_list.key, active_only=False))) for pick_list in picklists.lists()]
    entities = [(entity, label, custom_fields.definitions(entity, active_only=False))
                for entity, label in custom_fields.entities().items()]
    return render(request, "system/configuration.html", {"lists": lists, "entities": entities})


@require("system.configure")
def pick_item_edit(request, list_key, pk=None):
    pick_list = picklists.get(list_key)
    if pick_list is None:
        raise Http404
    item = get_object_or_404(PickItem, pk=pk, list_key=list_key) if pk else None
    initial = {"code": item.code, "name_zh": item.name_zh, "name_en": item.name_en, "position": item.position,
               "is_active": item.is_active} if item else {"is_active": True}
    form = PickItemForm(request.POST or None, initial=initial)
    if item:
        form.fields["code"].disabled = True
    return form_page(
        request, form, lambda data: pick_item_save(actor=request.user, list_key=list_key, item=item, **data),
        title=f"{pick_list.label} · " + (item.name if item else _("New value")), saved_message=_("Saved."),
        success_url="system:configuration", cancel_url="system:configuration",
    )


@require("system.configure")
def custom_field_edit(request, entity, pk=None):
    if entity not in custom_fields.entities():
        raise Http404
    field = get_object_or_404(CustomField, pk=pk, entity=entity) if pk else None
    initial = {"key": field.key, "label_zh": field.label_zh, "label_en": field.label_en,
               "field_type": field.field_type, "options": "\n".join(field.options), "required": field.required,
               "position": field.position, "is_active": field.is_active} if field else {"is_active": True}
    form = CustomFieldForm(request.POST or None, initial=initial)
    if field:
        form.fields["key"].disabled = True
    return form_page(
        request, form, lambda data: custom_field_save(actor=request.user, entity=entity, field=field, **data),
        title=f"{custom_fields.entities()[entity]} · " + (field.label if field else _("New custom field")),
        saved_message=_("Saved."), success_url="system:configuration", cancel_url="system:configuration",
    )

