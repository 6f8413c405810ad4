from decimal import Decimal, InvalidOperation

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import picklists
from guanxi.core.forms import SearchableSelect
from guanxi.customers.models import Contact, Customer
from guanxi.customers.selectors import customers_editable_by

from .models import Lead, Opportunity, Product, Stage, TargetLevel
from .selectors import likely_customers


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["sku", "name", "model_number", "category", "unit", "list_price", "tax_rate", "is_active",
                  "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = picklists.items("sales.product_category")

    def validate_unique(self):
        pass

    def _post_clean(self):
        pass


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["company", "name", "title", "mobile", "email", "source", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = picklists.items("customers.source")

    def _post_clean(self):
        pass


class LeadConvertForm(forms.Form):
    opportunity_name = forms.CharField(label=gettext_lazy("Opportunity"), max_length=200, required=False)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=14, decimal_places=2, min_value=0,
                                initial=0)
    existing_customer = forms.ModelChoiceField(
        label=gettext_lazy("Into an existing customer"), required=False, queryset=Customer.objects.none(),
        help_text=gettext_lazy("Leave empty to create a new customer from the lead."))

    def __init__(self, *args, user=None, **kwargs):
        """``user``: the customers offered are those the user may sell to (searchable)."""
        super().__init__(*args, **kwargs)
        field = self.fields["existing_customer"]
        field.queryset = customers_editable_by(user) if user else Customer.objects.none()
        field.widget = SearchableSelect(reverse("sales:customer_options"))
        if user:
            raw = str(self.data.get("existing_customer") or "") if self.is_bound else ""
            field.widget.choices = [("", "—")] + [(c.pk, c.name) for c in likely_customers(
                user, field.queryset, int(raw) if raw.isdigit() else None)]


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["name", "customer", "contact", "stage", "amount", "expected_close_on", "competitor", "source",
                  "notes"]
        widgets = {"expected_close_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers_editable_by(user).order_by("name") if user else \
            Customer.objects.none()
        self.fields["competitor"].queryset = Customer.objects.filter(category="competitor").order_by("name")
        # Only the chosen customer's contacts; choosing another customer reloads them.
        self.fields["contact"].queryset = Contact.objects.filter(customer_id=self._customer_id()).order_by(
            "-is_primary", "name")
        customer = self.fields["customer"]
        customer.widget = SearchableSelect(reverse("sales:customer_options"), attrs={
            "hx-get": reverse("sales:opportunity_contact_options"), "hx-target": "#id_contact",
            "hx-trigger": "change"})
        if user:  # the likeliest few are listed; any customer the user may sell to is accepted
            selected = self._customer_id()
            customer.widget.choices = [("", "—")] + [(c.pk, c.name) for c in likely_customers(
                user, customer.queryset, selected)]
        self.fields["stage"].queryset = Stage.objects.filter(pipeline__is_default=True, kind="open")
        self.fields["stage"].required = False
        self.fields["source"].queryset = picklists.items("customers.source")
        if self.instance.pk:
            for name in ("customer", "stage"):
                del self.fields[name]

    def _customer_id(self):
        if self.instance.pk:
            return self.instance.customer_id
        raw = str((self.data.get("customer") if self.is_bound else self.initial.get("customer")) or "")
        return int(raw) if raw.isdigit() else None

    def _post_clean(self):
        pass


def _decimal(raw, field, line, errors, default=None):
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append({"field": f"lines.{line}.{field}", "message": _("Enter a number.")})
        return None
    if not value.is_finite():
        errors.append({"field": f"lines.{line}.{field}", "message": _("Enter a number.")})
        return None
    return value


def lines_from_post(data, max_lines=200):
    """Read the line rows of the fast entry form (product_1, quantity_1 …); blank rows
    are skipped. Returns (lines, errors)."""
    lines, errors = [], []
    skus = {(data.get(f"product_{i}") or "").strip().split(" ", 1)[0] for i in range(1, max_lines + 1)} - {""}
    by_sku = {p.sku: p for p in Product.objects.filter(sku__in=skus, is_active=True)} if skus else {}
    products = {}
    for index in range(1, max_lines + 1):
        sku = (data.get(f"product_{index}") or "").strip()
        description = (data.get(f"description_{index}") or "").strip()
        quantity_raw = (data.get(f"quantity_{index}") or "").strip()
        if not (sku or description or quantity_raw):
            continue
        product = None
        if sku:
            product = products.get(sku) or by_sku.get(sku.split(" ", 1)[0])
            if product is None:
                errors.append({"field": f"lines.{index}.product", "message": _("No active product “%(sku)s”.") % {
                    "sku": sku}})
                continue
            products[sku] = product
        line = {"product": product, "description": description,
                "quantity": _decimal(quantity_raw, "quantity", index, errors),
                "discount_percent": _decimal(data.get(f"discount_{index}"), "discount_percent", index, errors,
                                             Decimal("0"))}
        price = _decimal(data.get(f"price_{index}"), "unit_price", index, errors)
        if price is not None:
            line["unit_price"] = price
        if line["quantity"] is None and not any(e["field"].startswith(f"lines.{index}.") for e in errors):
            errors.append({"field": f"lines.{index}.quantity", "message": _("Enter the quantity.")})
        lines.append(line)
    return lines, errors


def line_rows(request, document, *, discount=True, count=8):
    """The numbered rows the fast entry form shows: what was posted (a refused form keeps
    what was typed), else the document's lines; at least ``count`` rows and two blank ones
    to type in. Purchase orders have no discount column (``discount=False``)."""
    keys = ("product", "description", "quantity", "price", *(("discount",) if discount else ()))
    rows = []
    if request.method == "POST":
        for index in range(1, 201):
            row = {k: request.POST.get(f"{k}_{index}", "") for k in keys}
            if any(row.values()):
                rows.append(row)
    elif document is not None:
        for line in document.lines.select_related("product"):
            row = {"product": line.product.sku if line.product else "", "description": line.description,
                   "quantity": line.quantity.normalize(), "price": line.unit_price}
            if discount:
                row["discount"] = line.discount_percent
            rows.append(row)
    rows += [{} for _blank in range(max(count, len(rows) + 2) - len(rows))]
    return list(enumerate(rows, start=1))


class TargetForm(forms.Form):
    """A subject's year: the yearly figures and, optionally, the twelve months."""

    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=[])
    subject = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=gettext_lazy("Order amount target"), max_digits=14, decimal_places=2,
                                min_value=0)
    new_customers = forms.IntegerField(label=gettext_lazy("New customers target"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = TargetLevel.choices


def months_from_post(post):
    """Twelve (amount, new customers) pairs from month_amount_1… month_customers_12."""
    return [(post.get(f"month_amount_{m}", "").strip() or None, post.get(f"month_customers_{m}", "").strip() or None)
            for m in range(1, 13)]
