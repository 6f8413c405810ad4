from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "guanxi.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from guanxi.core import navigation, permissions

        from . import (
            wiring_campaigns,
            wiring_capture,
            wiring_email,
            wiring_loyalty,
            wiring_segments,
        )

        permissions.register_module("marketing", _("Marketing"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit"), "delete": _("Delete"),
            "export": _("Export"), "send": _("Send campaigns and messages"),
            "manage": _("Configure marketing (points rules, price lists, coupons)"),
        })
        # Each part of marketing adds its pages to this section (navigation.add_items) and
        # plugs into the other registries in its own wiring module.
        navigation.register(navigation.Section("marketing", _("Marketing"), "marketing.view", [], order=35))
        wiring_segments.connect()
        wiring_campaigns.connect()
        wiring_email.connect()
        wiring_loyalty.connect()
        wiring_capture.connect()
