from django import forms

from guanxi.core import picklists

from .models import Supplier


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "code", "category", "contact_name", "phone", "email", "address", "tax_id", "bank_name",
                  "bank_account", "payment_days", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = picklists.items("purchasing.supplier_category")

    def _post_clean(self):
        pass
