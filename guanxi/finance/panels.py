"""What finance shows on other modules' record pages (registered in ``FinanceConfig.ready``)."""

from django.utils.translation import gettext as _

from guanxi.core.panels import Panel

from . import selectors


def supplier_panel(request, supplier):
    """The supplier page's money: owed, paid, outstanding, and "record a payment"."""
    user = request.user
    if not user.has_module_perm("finance.view"):
        return None
    return Panel(_("Money"), "finance/_supplier_panel.html", {
        "supplier": supplier, "position": selectors.supplier_position(user, supplier),
        "can_pay": user.has_module_perm("finance.create"),
    })
