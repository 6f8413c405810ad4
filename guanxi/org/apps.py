from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "guanxi.org"
    label = "org"
    verbose_name = _("Organization")

    def ready(self):
        from guanxi.core import navigation, permissions

        permissions.register_module(
            "org", _("Organization"), {"view": _("View the organization"), "manage": _("Manage the organization")}
        )
        navigation.register(
            navigation.Section("org", _("Organization"), "org.view", [
                navigation.Item(_("Employees"), "org:employee_list", "org.view"),
                navigation.Item(_("Departments"), "org:department_list", "org.view"),
                navigation.Item(_("Organization chart"), "org:chart", "org.view"),
                navigation.Item(_("Branches"), "org:branch_list", "org.view"),
                navigation.Item(_("Job roles"), "org:role_list", "org.manage"),
            ], order=80)
        )
        from auditlog.registry import auditlog

        from .models import Branch, Company, Department, Role, User

        auditlog.register(Company, exclude_fields=["updated_at"])
        auditlog.register(Branch, exclude_fields=["updated_at"])
        auditlog.register(Department, exclude_fields=["updated_at"])
        auditlog.register(Role, exclude_fields=["updated_at"])
        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"roles"})
        post_migrate.connect(_sync_roles, sender=self)
        from guanxi.core import memo

        memo.watch(Role, User.roles.through)
        memo.directory(Branch)
        memo.directory(Department)
        memo.directory(User, ignore_fields={"last_login"})


def _sync_roles(sender, **kwargs):
    from .services import roles_sync_defaults  # cycle: apps.py loads before the models exist

    roles_sync_defaults()
