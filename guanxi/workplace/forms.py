from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.notifications import Channels, kinds
from guanxi.customers.selectors import customers_visible_to
from guanxi.org.models import Branch, Department, Role, User
from guanxi.sales.models import StageKind
from guanxi.sales.selectors import opportunities_visible_to

from .models import DirectiveKind, DirectivePriority, IntelType, NewsKind, NewsVisibility, Note
from .selectors import competitors_visible_to, people_in_scope


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["title", "category", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class ScheduleForm(forms.ModelForm):
    class Meta:
        from .models import Schedule

        model = Schedule
        fields = ["title", "starts_at", "ends_at", "location", "customer", "remind_minutes_before",
                  "remind_by_email", "notes", "done"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["customer"].queryset = customers_visible_to(user).filter(owner=user).order_by("name") \
            if user else self.fields["customer"].queryset.none()
        self.fields["ends_at"].required = False

    def _post_clean(self):
        pass


# --- work plans (WRK-1) --------------------------------------------------------------
class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


CHOICES_SHOWN = 300


def _limit_shown(field, newest_first):
    """Validate against the whole queryset but offer only the newest few: a seller with
    tens of thousands of customers must not get them all in one select."""
    field.widget.choices = [("", "---------")] + [(o.pk, str(o)) for o in newest_first[:CHOICES_SHOWN]]


def _customer_choices(field, user, chosen=None):
    field.queryset = customers_visible_to(user).filter(owner=user).exclude(category="competitor")
    _limit_shown(field, field.queryset.order_by("-last_contacted_at", "-created_at"))
    # The customer the page was opened for (?customer=, from the customer's page) is offered
    # even when older than the newest few; only one of the user's own customers.
    if chosen and all(str(value) != str(chosen) for value, _label in field.widget.choices):
        field.widget.choices += [(c.pk, str(c)) for c in field.queryset.filter(pk=chosen)]


def _opportunity_choices(field, user):
    field.queryset = opportunities_visible_to(user).filter(owner=user, stage__kind=StageKind.OPEN)
    _limit_shown(field, field.queryset.order_by("-created_at"))


class PlanItemForm(forms.Form):
    title = forms.CharField(label=_("What"), max_length=200)
    day = forms.DateField(label=_("Day"), required=False, widget=_DateInput())
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    opportunity = forms.ModelChoiceField(label=_("Opportunity"), queryset=None, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _customer_choices(self.fields["customer"], user, chosen=self.initial.get("customer"))
        _opportunity_choices(self.fields["opportunity"], user)


class PlanAssignForm(PlanItemForm):
    owner = forms.ModelChoiceField(label=_("Employee"), queryset=None)

    field_order = ["owner", "title", "day", "notes"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["opportunity"], self.fields["customer"]
        self.fields["owner"].queryset = User.objects.filter(
            pk__in=[p.pk for p in people_in_scope(user) if p.pk != user.pk]).order_by("display_name")


class PlanProgressForm(forms.Form):
    PROGRESS = [(0, "0%"), (25, "25%"), (50, "50%"), (75, "75%"), (100, "100%")]

    progress = forms.TypedChoiceField(label=_("Progress"), choices=PROGRESS, coerce=int, required=False,
                                      empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", "—"), ("planned", _("Planned")), ("in_progress", _("In progress")), ("done", _("Done")),
        ("cancelled", _("Cancelled"))])
    result = forms.CharField(label=_("Result"), max_length=2000, required=False)


# --- directives (WRK-2) -------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class DirectiveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DirectiveKind.choices, initial=DirectiveKind.DIRECTIVE)
    priority = forms.ChoiceField(label=_("Priority"), choices=DirectivePriority.choices)
    body = forms.CharField(label=_("Text"), max_length=60000,
                           widget=forms.Textarea(attrs={"rows": 10, "data-rich-text": "1"}))
    to_everyone = forms.BooleanField(label=_("Everyone in the company"), required=False)
    branches = forms.ModelMultipleChoiceField(label=_("Branches"), queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    departments = forms.ModelMultipleChoiceField(label=_("Departments"), queryset=None, required=False,
                                                 help_text=_("Includes their sub-departments."),
                                                 widget=forms.SelectMultiple(attrs={"size": 8}))
    roles = forms.ModelMultipleChoiceField(label=_("Job roles"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    requires_ack = forms.BooleanField(label=_("Recipients must acknowledge"), required=False, initial=True)
    ack_due_on = forms.DateField(label=_("Acknowledge by"), required=False, widget=_DateInput())
    attachments = MultipleFileField(label=_("Attachments"), required=False,
                                    help_text=_("PDF, JPEG, PNG, Word, Excel or PowerPoint; at most 20 MB each."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.filter(is_active=True)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).select_related("branch")
        self.fields["departments"].label_from_instance = lambda d: f"{d.branch.name} / {d.name}"
        self.fields["roles"].queryset = Role.objects.all()

    def service_data(self):
        data = dict(self.cleaned_data)
        data["uploads"] = data.pop("attachments") or []
        return data


# --- news and competitor intelligence (WRK-3, WRK-4) ---------------------------------
class NewsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NewsKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=40000, required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "data-rich-text": "1"}))
    tags = forms.CharField(label=_("Tags"), max_length=400, required=False,
                           help_text=_("Separate tags with commas."))
    source = forms.CharField(label=_("Source"), max_length=100, required=False)
    source_url = forms.CharField(label=_("Link"), max_length=500, required=False,
                                 widget=forms.URLInput(attrs={"placeholder": "https://"}))
    visibility = forms.ChoiceField(label=_("Visible to"), choices=NewsVisibility.choices)
    competitor = forms.ModelChoiceField(label=_("Competitor"), queryset=None, required=False)
    intel_type = forms.ChoiceField(label=_("Intelligence type"), required=False,
                                   choices=[("", "—"), *IntelType.choices])
    product = forms.CharField(label=_("Product"), max_length=200, required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False, initial="CNY")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competitor"].queryset = competitors_visible_to(user).order_by("name")

    @classmethod
    def initial_for(cls, item):
        data = {name: getattr(item, name) for name in ("kind", "title", "body", "source", "source_url",
                                                       "visibility", "competitor", "intel_type", "product",
                                                       "price", "currency")}
        data["tags"] = ", ".join(t.name for t in item.tags.all())
        return data


class NotificationPreferencesForm(forms.Form):
    """One row of three boxes per kind of notice."""

    CHANNELS = [("in_app", _("in the app")), ("email", _("by e-mail")), ("digest", _("in the daily digest"))]

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind in kinds():
            current = preferences[kind.code]
            names = []
            for channel, channel_label in self.CHANNELS:
                name = f"{kind.code}__{channel}"
                self.fields[name] = forms.BooleanField(required=False, initial=getattr(current, channel),
                                                       label=f"{kind.label}: {channel_label}")
                names.append(name)
            self.rows.append((kind, [self[name] for name in names]))

    def choices(self):
        return {kind.code: Channels(*(self.cleaned_data[f"{kind.code}__{c}"] for c in ("in_app", "email", "digest")))
                for kind, _fields in self.rows}
