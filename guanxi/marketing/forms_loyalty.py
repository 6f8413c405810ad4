"""Forms of the loyalty part of marketing: tiers, points rules, coupons, promotions,
redemptions and price lists (the services check and save)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.sales.models import PriceList, Product

from .models.loyalty import Coupon, LoyaltySettings, MemberTier, Promotion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TierForm(forms.ModelForm):
    class Meta:
        model = MemberTier
        fields = ["name", "position", "min_points", "min_spend", "multiplier", "benefits", "price_list"]
        widgets = {"benefits": forms.Textarea(attrs={"rows": 3})}


class PointsRulesForm(forms.ModelForm):
    class Meta:
        model = LoyaltySettings
        fields = ["yuan_per_point", "point_value", "expiry_months"]


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ["code", "name", "kind", "value", "min_order", "valid_from", "valid_until", "max_uses",
                  "per_customer_limit", "is_active"]
        widgets = {"valid_from": DATE, "valid_until": DATE}


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = ["name", "kind", "threshold", "amount_off", "category", "percent_off", "valid_from",
                  "valid_until", "is_active"]
        widgets = {"valid_from": DATE, "valid_until": DATE}


class PointsForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=-99999999, max_value=99999999)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class OrderPointsForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=99999999)
    key = forms.CharField(widget=forms.HiddenInput, max_length=60, required=False)


class ConfirmForm(forms.Form):
    """A POST that carries nothing but the confirmation (and the CSRF token)."""


class CouponCodeForm(forms.Form):
    code = forms.CharField(label=_("Coupon code"), max_length=40)


class PriceListForm(forms.ModelForm):
    items = forms.CharField(
        label=_("Prices"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One product a line: SKU and price, e.g. \"P-1001 88.00\"."))

    class Meta:
        model = PriceList
        fields = ["name", "level", "customer", "valid_from", "valid_until", "is_active"]
        widgets = {"valid_from": DATE, "valid_until": DATE}

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers
        if self.instance.pk:
            self.initial["items"] = "\n".join(f"{item.product.sku} {item.price}"
                                              for item in self.instance.items.select_related("product"))

    def clean_items(self):
        """Parse "SKU price" lines into [(product, price)]; every bad line is reported."""
        rows, errors = [], []
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        products = Product.objects.in_bulk([line.split()[0] for line in lines], field_name="sku")
        for number, line in enumerate(lines, start=1):
            parts = line.replace(",", " ").split()
            try:
                price = Decimal(parts[1]) if len(parts) == 2 else None
            except InvalidOperation:
                price = None
            if parts[0] not in products or price is None or price < 0 or price != price.quantize(Decimal("0.01")):
                errors.append(_("Line %(number)s: “%(line)s” is not a known SKU and a price.")
                              % {"number": number, "line": line[:60]})
                continue
            rows.append((products[parts[0]], price))
        if errors:
            raise forms.ValidationError(errors)
        return rows
