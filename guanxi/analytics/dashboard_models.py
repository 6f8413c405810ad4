"""The home dashboard's stored layout (ANA-11): the widgets a user chose, in order.
Imported by models.py so the app's models stay one per concern."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardLayout(models.Model):
    """A user's own arrangement; without one the role's default applies."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE,
                                related_name="dashboard_layout")
    widgets = models.JSONField(_("widgets"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dashboard layout")
        verbose_name_plural = _("dashboard layouts")

    def __str__(self):
        return f"{self.user_id}: {', '.join(self.widgets)}"


__all__ = ["DashboardLayout"]
