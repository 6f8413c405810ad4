from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import custom_fields, picklists
from guanxi.core.phones import validate_phone
from guanxi.org.models import Department, User

from . import regions
from .models import Contact, Customer, CustomerSettings

CUSTOMER_ENTITY = "customers.customer"
CONTACT_ENTITY = "customers.contact"


def _check_phones(form):
    for name in ("mobile", "phone"):
        form.fields[name].validators.append(validate_phone)
        form.fields[name].widget.attrs.setdefault("inputmode", "tel")


class RegionSelect(forms.Select):
    """A province/city/district select that reloads the next level with HTMX."""

    def __init__(self, next_field=None, attrs=None):
        attrs = dict(attrs or {})
        if next_field:
            attrs.update({
                "hx-get": str(reverse_lazy("customers:region_options")),
                "hx-target": f"#id_{next_field}",
                "hx-trigger": "change",
                "hx-vals": f'{{"level": "{next_field}"}}',
            })
        super().__init__(attrs=attrs)


def _region_choices(parent, placeholder):
    return [("", placeholder)] + (regions.children(parent) if parent is not None else [])


class WithCustomFields:
    """Adds the entity's custom fields to a form and reads them back."""

    entity = ""

    def add_custom_fields(self, record=None):
        for name, field in custom_fields.form_fields(self.entity).items():
            self.fields[name] = field
            if record is not None and record.pk:
                self.initial[name] = (record.custom or {}).get(name[len("custom__"):])

    def custom_values(self):
        return custom_fields.values_from_form(self.cleaned_data)


class CustomerForm(WithCustomFields, forms.ModelForm):
    entity = CUSTOMER_ENTITY
    tags = forms.CharField(label=_("Tags"), required=False, max_length=400,
                           help_text=_("Separate tags with commas."))
    website = forms.URLField(label=_("Website"), required=False, max_length=300, assume_scheme="https")
    override_duplicate = forms.BooleanField(
        label=_("Save even though a similar customer exists (manager's approval)"), required=False)

    class Meta:
        model = Customer
        fields = ["name", "kind", "category", "industry", "source", "level", "lifecycle_stage", "value_tier",
                  "mobile", "phone", "email", "wechat", "qq", "website", "province", "city", "district", "address",
                  "occupation", "birthday", "gender", "credit_limit", "next_follow_up_on", "notes"]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({
            "autocomplete": "off", "autofocus": True,
            "hx-get": str(reverse_lazy("customers:duplicate_inline")),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#duplicate-warning",
            "hx-include": "#id_mobile, #id_phone, #id_email",
            "hx-vals": '{"exclude": "%s"}' % (self.instance.pk or ""),
        })
        for name in ("mobile", "phone", "email"):
            self.fields[name].widget.attrs.update({
                "hx-get": str(reverse_lazy("customers:duplicate_inline")),
                "hx-trigger": "change", "hx-target": "#duplicate-warning",
                "hx-include": "#id_name, #id_mobile, #id_phone, #id_email",
            })
        for field, key in (("industry", "customers.industry"), ("source", "customers.source"),
                           ("level", "customers.level")):
            self.fields[field].queryset = picklists.items(key)
        data = self.data if self.is_bound else None
        province = (data.get("province") if data else None) or self.instance.province or ""
        city = (data.get("city") if data else None) or self.instance.city or ""
        self.fields["province"] = forms.ChoiceField(
            label=_("Province"), required=False, choices=_region_choices("", _("Province")),
            widget=RegionSelect(next_field="city"))
        self.fields["city"] = forms.ChoiceField(
            label=_("City"), required=False, choices=_region_choices(province or None, _("City")),
            widget=RegionSelect(next_field="district"))
        self.fields["district"] = forms.ChoiceField(
            label=_("District"), required=False, choices=_region_choices(city or None, _("District")),
            widget=RegionSelect())
        self.fields["mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        _check_phones(self)
        self.fields["email"].widget.attrs.update({"inputmode": "email"})
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        if user is None or not user.has_module_perm("customers.approve_duplicate"):
            del self.fields["override_duplicate"]
        self.add_custom_fields(self.instance)

    def validate_unique(self):
        pass  # the service checks duplicates with its own rules

    def _post_clean(self):
        # Validation belongs to the service (normalization, regions, duplicates).
        pass

    def service_data(self):
        data = dict(self.cleaned_data)
        data["tags"] = [t for t in (data.pop("tags") or "").replace("，", ",").split(",") if t.strip()]
        data["custom"] = custom_fields.values_from_form(data)
        data["override_duplicate"] = data.pop("override_duplicate", False)
        return data


class ContactForm(WithCustomFields, forms.ModelForm):
    entity = CONTACT_ENTITY

    class Meta:
        model = Contact
        fields = ["name", "title", "role", "gender", "mobile", "phone", "email", "wechat", "birthday", "address",
                  "is_primary", "notes"]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = picklists.items("customers.contact_role")
        _check_phones(self)
        self.add_custom_fields(self.instance)

    def _post_clean(self):
        pass

    def service_data(self):
        data = dict(self.cleaned_data)
        data["custom"] = custom_fields.values_from_form(data)
        return data


class ReleaseForm(forms.Form):
    reason_code = forms.ModelChoiceField(label=_("Reason"), queryset=None, required=True)
    detail = forms.CharField(label=_("Details"), required=False, max_length=250,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = picklists.items("customers.release_reason")

    def reason(self):
        parts = [self.cleaned_data["reason_code"].name, self.cleaned_data.get("detail", "")]
        return "：".join(p for p in parts if p)


class TransferForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none(), required=False,
                                     empty_label=_("— The public pool —"))
    reason = forms.CharField(label=_("Reason"), max_length=250, required=False)
    ids = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(is_active=True).select_related("branch").order_by(
            "branch__name", "display_name")
        self.fields["to_user"].label_from_instance = lambda u: f"{u.display_name}（{u.branch or '—'}）"


class ShareForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    can_edit = forms.BooleanField(label=_("May edit"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("display_name")


class CustomerSettingsForm(forms.ModelForm):
    class Meta:
        model = CustomerSettings
        fields = ["pool_mode", "claim_limit", "recycle_no_follow_up_days", "recycle_no_deal_days",
                  "recycle_warning_days", "reclaim_block_days"]


class DuplicateSearchForm(forms.Form):
    name = forms.CharField(label=_("Name or keyword"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)


class InteractionForm(forms.ModelForm):
    class Meta:
        from .models import Interaction

        model = Interaction
        fields = ["channel", "occurred_at", "contact", "summary", "next_follow_up_on"]
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "next_follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if not self.instance.pk:
            self.initial.setdefault("occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        customer = customer or (self.instance.customer if self.instance.pk else None)
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer) if customer else \
            Contact.objects.none()

    def _post_clean(self):
        pass


class FeedbackForm(forms.ModelForm):
    class Meta:
        from .models import Feedback

        model = Feedback
        fields = ["kind", "content", "department"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["kind"].queryset = picklists.items("customers.feedback_kind")
        self.fields["department"].queryset = Department.objects.filter(is_active=True).select_related("branch")
        self.fields["department"].label_from_instance = lambda d: f"{d.branch.name} / {d.name}"

    def _post_clean(self):
        pass


class FeedbackHandleForm(forms.Form):
    response = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, initial=1,
                                  choices=[(1, _("one day")), (7, _("7 days")), (30, _("30 days"))])
    group = forms.ChoiceField(label=_("Per"), required=False, initial="person",
                              choices=[("person", _("person")), ("department", _("department"))])
