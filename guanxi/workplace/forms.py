from django import forms

from .models import Note


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
        from guanxi.customers.selectors import customers_visible_to

        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["customer"].queryset = customers_visible_to(user).filter(owner=user).order_by("name") \
            if user else self.fields["customer"].queryset.none()
        self.fields["ends_at"].required = False

    def _post_clean(self):
        pass
