from django.urls import path

from guanxi.core.routes import form_routes, resource

from . import views, views_expenses, views_invoices, views_pay, views_reports

app_name = "finance"
urlpatterns = [
    # commissions and pay (SAL-9)
    path("pay/rules/", views_pay.rule_list, name="commission_rule_list"),
    *form_routes("pay/rules/", "commission_rule", views_pay.rule_edit),
    path("pay/salaries/", views_pay.salary_sheet, name="salary_sheet"),
    path("pay/statements/", views_pay.statement_list, name="statement_list"),
    path("pay/statements/generate/", views_pay.statement_generate, name="statement_generate"),
    path("pay/statements/<int:pk>/", views_pay.statement_detail, name="statement_detail"),
    path("pay/statements/<int:pk>/confirm/", views_pay.statement_confirm, name="statement_confirm"),
    path("my-pay/", views_pay.my_pay, name="my_pay"),
    *resource("receivables/", "receivable", views, "list", "create", "detail"),
    *resource("receipts/", "receipt", views, "list", "create", "detail", "allocate", "reverse"),
    path("allocations/<int:pk>/reverse/", views.allocation_reverse, name="allocation_reverse"),
    *resource("payables/", "payable", views, "list", "create", "detail"),
    *resource("payments/", "payment", views, "list", "create", "detail", "allocate", "reverse"),
    path("payment-allocations/<int:pk>/reverse/", views.payment_allocation_reverse,
         name="payment_allocation_reverse"),
    *resource("expenses/", "expense", views_expenses, "list", "create", "detail", "action"),
    path("attachments/<int:pk>/", views_expenses.attachment_download, name="attachment_download"),
    *resource("invoices/", "invoice", views_invoices, "list", "detail", "action"),
    path("orders/<int:order_pk>/invoice/", views_invoices.invoice_request, name="invoice_request"),
    path("orders/<int:order_pk>/plan/", views_invoices.payment_plan_set, name="payment_plan_set"),
    path("ageing/", views_reports.ageing, name="ageing"),
    path("analysis/", views_reports.analysis, name="analysis"),
    path("statistics/", views_reports.statistics, name="statistics"),
    path("profit/", views_reports.profit, name="profit"),
    path("settings/", views_reports.settings_index, name="settings"),
]
