from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import modules

from .models import Branch, Department, Role, User


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["name", "code", "is_headquarters", "parent", "city", "address", "phone", "head", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = User.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["parent"].queryset = Branch.objects.exclude(pk=self.instance.pk)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["branch", "parent", "name", "kind", "manager", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = User.objects.filter(is_active=True)
        self.fields["parent"].queryset = Department.objects.select_related("branch")
        self.fields["parent"].label_from_instance = lambda d: f"{d.branch.name} / {d.name}"
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=self.instance.path
            )


class _EmployeeFields(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "department" in self.fields:
            self.fields["department"].queryset = Department.objects.select_related("branch").filter(is_active=True)
            self.fields["department"].label_from_instance = lambda d: f"{d.branch.name} / {d.name}"
        if "manager" in self.fields:
            managers = User.objects.filter(is_active=True)
            if self.instance.pk:
                managers = managers.exclude(pk=self.instance.pk)
            self.fields["manager"].queryset = managers
        if "roles" in self.fields:
            self.fields["roles"].widget = forms.CheckboxSelectMultiple()
            self.fields["roles"].queryset = Role.objects.order_by("code")


class EmployeeCreateForm(_EmployeeFields):
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput(render_value=False), required=False,
        help_text=password_validators_help_text_html(),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "phone", "title", "tier", "department", "manager", "roles"]

    def validate_unique(self):
        # The service reports a taken username as a conflict with a clear message.
        pass


class EmployeeEditForm(_EmployeeFields):
    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "title", "tier", "manager", "roles"]


class EmployeeMoveForm(_EmployeeFields):
    class Meta:
        model = User
        fields = ["department", "manager"]


class EmployeeDeactivateForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class EmployeePasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput,
                               help_text=password_validators_help_text_html())


def permission_choices():
    return [
        (str(module.label), [(f"{module.code}.{action}", label) for action, label in module.actions.items()])
        for module in modules()
    ]


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple, choices=permission_choices,
    )

    class Meta:
        model = Role
        fields = ["code", "name_zh", "name_en", "description", "data_scope", "permissions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True

    def validate_unique(self):
        pass
