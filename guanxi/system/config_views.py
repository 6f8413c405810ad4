"""Configuration screens: pick-lists and custom fields (ORG-7)."""

import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core import business_calendar, custom_fields, numbering, picklists, printing
from guanxi.core.config_services import (
    custom_field_save,
    number_format_save,
    pick_item_save,
    print_template_save,
)
from guanxi.core.errors import DomainError
from guanxi.core.forms import act, form_page, report_message
from guanxi.core.models import CustomField, CustomFieldType, NumberFormat, PickItem, PrintTemplate
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



# --- document numbers and print templates ---------------------------------------------------
class NumberFormatForm(forms.Form):
    prefix = forms.CharField(label=gettext_lazy("Prefix"), max_length=10)  # type: ignore[assignment]  # a field, not Form.prefix
    width = forms.IntegerField(label=gettext_lazy("Digits"), min_value=3, max_value=12)
    reset = forms.ChoiceField(label=gettext_lazy("Restart numbering"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reset"].choices = NumberFormat.Reset.choices


@require("system.configure")
def numbering_index(request):
    rows = [(doc_type, numbering.label(doc_type), numbering._format(doc_type), numbering.preview(doc_type))
            for doc_type in sorted(numbering.DEFAULT_PREFIXES)]
    return render(request, "system/numbering.html", {"rows": rows})


@require("system.configure")
def number_format_edit(request, doc_type):
    if doc_type not in numbering.DEFAULT_PREFIXES:
        raise Http404
    fmt = numbering._format(doc_type)
    form = NumberFormatForm(request.POST or None, initial={"prefix": fmt.prefix, "width": fmt.width, "reset": fmt.reset})
    return form_page(request, form, lambda data: number_format_save(actor=request.user, doc_type=doc_type, **data),
                     title=_("Numbering of %(type)s") % {"type": numbering.label(doc_type)}, saved_message=_("Saved."),
                     success_url="system:numbering", cancel_url="system:numbering",
                     context={"help": _("The next number: %(number)s") % {"number": numbering.preview(doc_type)}})


class PrintTemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    html = forms.CharField(label=gettext_lazy("Template (HTML with placeholders)"), max_length=100_000,
                           widget=forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "false"}))
    is_active = forms.BooleanField(label=gettext_lazy("Use it for printing"), required=False, initial=True)


@require("system.configure")
def print_template_index(request):
    templates = PrintTemplate.objects.order_by("doc_type", "-is_active", "name")
    return render(request, "system/print_templates.html", {
        "types": sorted(printing.doc_types().items()), "templates": templates})


@require("system.configure")
def print_template_edit(request, doc_type, pk=None):
    if doc_type not in printing.doc_types():
        raise Http404
    template = get_object_or_404(PrintTemplate, pk=pk, doc_type=doc_type) if pk else None
    default_html = printing.default_source(doc_type)
    initial = {"name": template.name, "html": template.html, "is_active": template.is_active} if template else {
        "name": str(printing.doc_types()[doc_type][0]), "html": default_html, "is_active": True}
    form = PrintTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("preview") and form.is_valid():
        try:
            printing.validate_template(form.cleaned_data["html"])
            pdf = printing.html_to_pdf(printing.render_html(doc_type, printing.doc_types()[doc_type][1](),
                                                            template_html=form.cleaned_data["html"]))
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = 'inline; filename="preview.pdf"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
        except DomainError as exc:
            form.add_error("html", exc.errors[0]["message"] if exc.errors else exc.message)
    return form_page(request, form, lambda data: print_template_save(actor=request.user, doc_type=doc_type,
                                                                     template=template, **data),
                     title=_("Print template: %(type)s") % {"type": printing.doc_types()[doc_type][0]},
                     saved_message=_("Saved."), success_url="system:print_templates",
                     cancel_url="system:print_templates", template="system/print_template_form.html",
                     context={"placeholders": _placeholders(printing.doc_types()[doc_type][1]())})


def _placeholders(data, prefix=""):
    """The names a template may use, from the sample data ("customer.name", "lines")."""
    names = []
    for key, value in data.items():
        if isinstance(value, dict):
            names += _placeholders(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            names.append(f"{prefix}{key} (list)")
        else:
            names.append(f"{prefix}{key}")
    return names


# --- the company calendar: holidays and make-up working days ----------------------------
class CalendarDayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working = forms.BooleanField(label=gettext_lazy("A make-up working day (off: a holiday)"), required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, required=False)


def _calendar_year(request):
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@require("system.configure")
def calendar(request):
    year = _calendar_year(request)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            business_calendar.day_set(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('system:calendar')}?year={form.cleaned_data['day'].year}")
    return render(request, "system/calendar.html", {
        "year": year, "days": business_calendar.days_of(year), "form": form,
        "can_load": year in business_calendar.china_years(), "years": [year - 1, year, year + 1],
    })


@require("system.configure")
@require_POST
def calendar_load(request):
    year = _calendar_year(request)
    return act(request, lambda: business_calendar.load_china(actor=request.user, year=year),
               done=lambda added: _("%(count)d dates added.") % {"count": added},
               back=f"{reverse('system:calendar')}?year={year}", report=report_message)


@require("system.configure")
@require_POST
def calendar_day_delete(request, day):
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404
    business_calendar.day_delete(actor=request.user, day=date)
    messages.success(request, _("Removed."))
    return redirect(f"{reverse('system:calendar')}?year={date.year}")
