from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "guanxi.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.core import navigation, permissions, transitions

        from .models import ApprovalPolicy, ApprovalRequest, ApprovalStep
        from .services import APPROVAL_TRANSITIONS

        permissions.register_module("approvals", _("Approvals"), {
            "view": _("See and decide approvals"), "manage": _("Configure approval flows"),
        })
        navigation.register(navigation.Section("approvals", _("Approvals"), "approvals.view", [
            navigation.Item(_("Approvals"), "approvals:inbox", "approvals.view"),
            navigation.Item(_("Approval flows"), "approvals:policies", "approvals.manage"),
        ], order=60))
        transitions.register(ApprovalRequest, APPROVAL_TRANSITIONS)
        auditlog.register(ApprovalPolicy)
        auditlog.register(ApprovalStep)
        auditlog.register(ApprovalRequest)
