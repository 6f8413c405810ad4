from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guanxi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from guanxi.org.signals import employee_deactivated, password_changed

        from .services import tokens_revoke_all

        employee_deactivated.connect(tokens_revoke_all, dispatch_uid="accounts.revoke_tokens")
        password_changed.connect(tokens_revoke_all, dispatch_uid="accounts.revoke_tokens_on_password")
