"""Expense screens (FIN-3): one's own expenses with receipts attached, submitted for approval."""

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.approvals.services import latest_for
from guanxi.core.forms import act_on, form_page
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import AUTHENTICATED, require

from . import expenses, selectors
from .lists import ExpenseList
from .models import ExpenseAttachment, ExpenseCategory

expense_list = ListPageView.as_view(spec=ExpenseList)


class ExpenseForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("Category / item"), queryset=None)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    spent_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ExpenseCategory.objects.filter(is_active=True).select_related(
            "parent").order_by("parent__position", "parent_id", "position")


@require(AUTHENTICATED)
def expense_create(request):
    form = ExpenseForm(request.POST or None, initial={"spent_on": timezone.localdate()})
    return form_page(request, form, lambda data: expenses.expense_create(actor=request.user, **data),
                     title=_("New expense"), saved_message=_("Expense saved; attach the receipts and submit it."),
                     success_url=lambda e: e, cancel_url="finance:expense_list")


@require(AUTHENTICATED)
def expense_detail(request, pk):
    expense = selectors.expense_get(request.user, pk)
    return render(request, "finance/expense_detail.html", {
        "expense": expense, "attachments": expense.attachments.all(), "entries": history_for(expense),
        "approval": latest_for("finance.expense", expense.pk),
        "editable": expense.is_editable,
    })


@require(AUTHENTICATED)
@require_POST
def expense_action(request, pk, action):
    expense = selectors.expense_get(request.user, pk)
    upload = request.FILES.get("file")
    if action == "attach" and upload is None:
        messages.error(request, _("Choose a file."))
        return redirect(expense)
    return act_on(request, action, {
        "attach": (lambda: expenses.expense_attach(actor=request.user, expense=expense, upload=upload),
                   _("Attached.")),
        "submit": (lambda: expenses.expense_submit(actor=request.user, expense=expense), _("Submitted for approval.")),
        "cancel": (lambda: expenses.expense_cancel(actor=request.user, expense=expense), _("Expense cancelled.")),
    }, back=expense)


@require(AUTHENTICATED)
def attachment_download(request, pk):
    attachment = get_object_or_404(ExpenseAttachment, pk=pk)
    selectors.expense_get(request.user, attachment.expense_id)  # 404 outside the scope
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=attachment.content_type != "application/pdf",
                            filename=f"{attachment.expense.number}{attachment.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
