"""API: receivables and receipts (FIN-1), payables and payments (FIN-2), payment plans and
invoices (FIN-1), expenses (FIN-3), the ageing report (FIN-4), all within scopes (ORG-3)."""

import ast
import datetime
import inspect
import json
import textwrap
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.api.common import path_operations
from guanxi.api.routers import finance as finance_router
from guanxi.approvals.models import ApprovalRequest
from guanxi.approvals.services import approval_decide
from guanxi.core.permissions import all_codes
from guanxi.customers.services import customer_create
from guanxi.finance import invoices, services
from guanxi.finance.models import (
    Allocation,
    Expense,
    ExpenseAttachment,
    Invoice,
    Payable,
    Payment,
    PaymentPlan,
    Receipt,
    Receivable,
)
from guanxi.purchasing import services as purchasing
from guanxi.sales import services as sales
from guanxi.testing.sales import confirmed_order

PROBLEM = "application/problem+json"
TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(client, url, body, headers, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers, **extra)


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州接口收款客户有限公司")


@pytest.fixture
def finance(cashier, api_for):
    return api_for(cashier)


def _two_receivables(seller, customer):
    """(older, newer): 500.00 overdue since 2020, 300.00 due in 30 days."""
    newer = Receivable.objects.get(order=confirmed_order(seller, customer, ((1, "300.00"),)))
    older = Receivable.objects.get(order=confirmed_order(seller, customer, ((1, "500.00"),)))
    Receivable.objects.filter(pk=older.pk).update(due_on=datetime.date(2020, 1, 1),
                                                  issued_on=datetime.date(2019, 12, 1))
    return older, newer


# --- receivables and receipts (FIN-1) ------------------------------------------------------------
def test_receivables_filter_read_create_and_cancel(seller, customer, finance):
    """FIN-1: lists filter by customer, status, overdue and due dates; money is a decimal string;
    a receivable entered by hand follows the customer's owner; cancelled once, then 409."""
    client, headers = finance
    older, newer = _two_receivables(seller, customer)
    listed = client.get("/api/v1/receivables", {"customer_id": customer.pk}, headers=headers).json()["items"]
    assert [r["id"] for r in listed] == [older.pk, newer.pk]  # oldest due first
    assert listed[0]["amount"] == "500.00" and listed[0]["outstanding"] == "500.00"
    assert listed[0]["currency"] == "CNY" and listed[0]["overdue_days"] > 0 and listed[0]["status"] == "open"

    def ids(**query):
        return [r["id"] for r in client.get("/api/v1/receivables", {"customer_id": customer.pk, **query},
                                            headers=headers).json()["items"]]

    assert ids(overdue="true") == [older.pk] and ids(overdue="false") == [newer.pk]
    assert ids(due_on_from="2019-12-01", due_on_to="2020-01-31") == [older.pk]
    assert ids(status="paid") == [] and ids(q=older.number) == [older.pk]
    one = client.get(f"/api/v1/receivables/{newer.pk}", headers=headers).json()
    assert one["order_id"] == newer.order_id and one["owner_id"] == seller.pk

    made = _post(client, "/api/v1/receivables", {"customer_id": customer.pk, "amount": "88.50",
                                                 "description": "服务费", "due_on": str(TODAY)}, headers)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["amount"] == "88.50" and body["owner_id"] == seller.pk and body["branch_id"] == seller.branch_id
    assert body["order_id"] is None and body["status"] == "open"
    cancelled = _post(client, f"/api/v1/receivables/{body['id']}/cancel", {"reason": "录入错误"}, headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    _problem(_post(client, f"/api/v1/receivables/{body['id']}/cancel", {"reason": "again"}, headers), 409)
    _problem(_post(client, f"/api/v1/receivables/{older.pk}/cancel", {}, headers), 422)


def test_record_receipts_oldest_exact_or_as_credit(seller, customer, finance):
    """FIN-1: a receipt writes off the oldest due first, exactly the shares given, or nothing
    (the customer's credit), and the credit is allocated later."""
    client, headers = finance
    older, newer = _two_receivables(seller, customer)
    oldest = _post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "600", "method": "bank",
                                                "reference": "BK-001"}, headers)
    assert oldest.status_code == 201, oldest.content
    receipt = oldest.json()
    assert receipt["amount"] == "600.00" and receipt["allocated"] == "600.00" and receipt["unallocated"] == "0.00"
    assert receipt["method"] == "bank" and receipt["kind"] == "receipt" and receipt["payer"] == customer.name
    assert [(a["receivable_id"], a["amount"]) for a in receipt["allocations"]] == [(older.pk, "500.00"),
                                                                                  (newer.pk, "100.00")]
    assert receipt["owner_id"] == seller.pk
    older.refresh_from_db()
    assert older.status == "paid"

    exact = _post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "150.00",
                                               "allocations": [{"receivable_id": newer.pk, "amount": "50.00"}]},
                  headers).json()
    assert exact["allocated"] == "50.00" and exact["unallocated"] == "100.00"
    credit = _post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "1000",
                                                "allocations": None}, headers).json()
    assert credit["allocated"] == "0.00" and credit["allocations"] == []
    newer.refresh_from_db()
    assert newer.outstanding == Decimal("150.00")

    applied = _post(client, f"/api/v1/receipts/{credit['id']}/allocations", {"allocations": "oldest"}, headers)
    assert applied.status_code == 200, applied.content
    assert applied.json()["allocated"] == "150.00" and applied.json()["unallocated"] == "850.00"
    newer.refresh_from_db()
    assert newer.status == "paid"
    assert client.get(f"/api/v1/receipts/{credit['id']}", headers=headers).json()["allocations"][0][
        "receivable_id"] == newer.pk
    listed = client.get("/api/v1/receipts", {"customer_id": customer.pk, "method": "bank"}, headers=headers)
    assert [r["id"] for r in listed.json()["items"]] == [receipt["id"]]


def test_over_allocation_and_bad_shares_are_422_and_change_nothing(seller, customer, finance, demo_org):
    """FIN-1: never more than is outstanding or left on the receipt; each error names the
    share by its position; nothing is allocated when one share is wrong."""
    client, headers = finance
    older, newer = _two_receivables(seller, customer)
    receipt = services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="400", allocate=None)
    url = f"/api/v1/receipts/{receipt.pk}/allocations"
    too_much = _problem(_post(client, url, {"allocations": [{"receivable_id": newer.pk, "amount": "100"},
                                                            {"receivable_id": older.pk, "amount": "500.01"}]},
                              headers), 422)
    assert too_much["errors"][0]["field"] == "allocations.1"
    beyond = _problem(_post(client, url, {"allocations": [{"receivable_id": newer.pk, "amount": "300"},
                                                          {"receivable_id": older.pk, "amount": "200"}]},
                            headers), 422)
    assert beyond["errors"][0]["field"] == "allocations"
    other = customer_create(actor=seller, name="另一家客户")
    foreign = Receivable.objects.get(order=confirmed_order(seller, other, ((1, "10.00"),)))
    assert _problem(_post(client, url, {"allocations": [{"receivable_id": foreign.pk, "amount": "1"}]}, headers),
                    422)["errors"][0]["field"] == "allocations.0"
    unknown = _problem(_post(client, url, {"allocations": [{"receivable_id": 999999, "amount": "1"}]}, headers), 422)
    assert unknown["errors"][0]["field"] == "allocations.0.receivable_id"
    for bad in ({"allocations": [{"receivable_id": newer.pk, "amount": "0"}]},
                {"allocations": [{"receivable_id": newer.pk, "amount": "1.001"}]},
                {"allocations": [{"receivable_id": newer.pk}]}, {"allocations": "newest"}, {"allocations": []},
                {"allocations": None}):
        _problem(_post(client, url, bad, headers), 422)
    _problem(_post(client, url, {"allocations": [{"receivable_id": newer.pk, "amount": "1"}] * 2}, headers), 422)
    receipt.refresh_from_db()
    assert receipt.allocated == 0 and not Allocation.objects.exists()
    assert Receivable.objects.filter(allocated__gt=0).count() == 0


def test_take_back_an_allocation_and_reverse_a_receipt(seller, customer, finance):
    """FIN-1: an allocation is taken back once; a receipt is reversed once by a negative
    receipt pointing at it; a reversal of a reversal and a second reversal answer 409."""
    client, headers = finance
    older, newer = _two_receivables(seller, customer)
    receipt = _post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "600"}, headers).json()
    first = receipt["allocations"][0]
    url = f"/api/v1/receipts/{receipt['id']}/allocations/{first['id']}/reverse"
    back = client.post(url, headers=headers)
    assert back.status_code == 200, back.content
    assert back.json()["allocated"] == "100.00" and back.json()["allocations"][0]["reversed_at"]
    older.refresh_from_db()
    assert older.allocated == 0 and older.status == "open"
    _problem(client.post(url, headers=headers), 409)
    _problem(client.post(f"/api/v1/receipts/{receipt['id']}/allocations/999999/reverse", headers=headers), 404)

    _problem(_post(client, f"/api/v1/receipts/{receipt['id']}/reverse", {"reason": ""}, headers), 422)
    reversed_ = _post(client, f"/api/v1/receipts/{receipt['id']}/reverse", {"reason": "银行退票"}, headers)
    assert reversed_.status_code == 201, reversed_.content
    reversal = reversed_.json()
    assert reversal["kind"] == "reversal" and reversal["amount"] == "-600.00"
    assert reversal["reverses_id"] == receipt["id"]
    assert client.get(f"/api/v1/receipts/{receipt['id']}", headers=headers).json()["reversed_by_id"] == reversal["id"]
    newer.refresh_from_db()
    assert newer.allocated == 0
    again = _problem(_post(client, f"/api/v1/receipts/{receipt['id']}/reverse", {"reason": "再来"}, headers), 409)
    assert again["type"].endswith("/conflict")
    _problem(_post(client, f"/api/v1/receipts/{reversal['id']}/reverse", {"reason": "冲回冲销"}, headers), 409)
    _problem(_post(client, f"/api/v1/receipts/{receipt['id']}/allocations", {"allocations": "oldest"}, headers), 409)
    assert Receipt.objects.count() == 2
    kinds = client.get("/api/v1/receipts", {"kind": "reversal"}, headers=headers).json()["items"]
    assert [r["id"] for r in kinds] == [reversal["id"]]


def test_bad_amounts_and_currencies_are_422_and_record_nothing(customer, finance):
    """FIN-1, SECURITY (money): negative, zero, three decimals, NaN, infinite, absurd, not a
    number, another currency, a future date: 422 problem+json naming the field; nothing written."""
    client, headers = finance
    base = {"customer_id": customer.pk, "allocations": None}
    cases = [({"amount": "-1"}, "amount"), ({"amount": "0"}, "amount"), ({"amount": "0.00"}, "amount"),
             ({"amount": "10.005"}, "amount"), ({"amount": 12.345}, "amount"), ({"amount": "NaN"}, "amount"),
             ({"amount": "Infinity"}, "amount"), ({"amount": "1e20"}, "amount"),
             ({"amount": "1000000000000"}, "amount"), ({"amount": "十块"}, "amount"), ({"amount": None}, "amount"),
             ({}, "amount"), ({"amount": "10", "currency": "USD"}, "currency"),
             ({"amount": "10", "received_on": str(TODAY + datetime.timedelta(days=5))}, "received_on"),
             ({"amount": "10", "method": "bitcoin"}, "method")]
    for extra, field in cases:
        problem = _problem(_post(client, "/api/v1/receipts", {**base, **extra}, headers), 422)
        assert problem["errors"][0]["field"] == field, (extra, problem)
    assert _problem(_post(client, "/api/v1/receivables", {"customer_id": customer.pk, "amount": "-5"}, headers),
                    422)["errors"][0]["field"] == "amount"
    assert not Receipt.objects.exists() and not Receivable.objects.exists()
    ok = _post(client, "/api/v1/receipts", {**base, "amount": 12.5, "currency": "cny"}, headers)
    assert ok.status_code == 201 and ok.json()["amount"] == "12.50"


def test_mass_assignment_is_refused(customer, finance, seller, api_for, demo_org):
    """SECURITY: allocated, owner, branch, status, kind and numbers are the server's; a body
    carrying one is 422 naming it, and nothing is written."""
    client, headers = finance
    for field, value in (("allocated", "100"), ("owner_id", seller.pk), ("branch_id", 1), ("status", "paid"),
                         ("kind", "reversal"), ("number", "RC-1"), ("reverses_id", 1)):
        problem = _problem(_post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "100",
                                                              field: value}, headers), 422)
        assert problem["errors"][0]["field"] == field
        _problem(_post(client, "/api/v1/receivables", {"customer_id": customer.pk, "amount": "100", field: value},
                       headers), 422)
    own, own_headers = api_for(seller)
    for field in ("owner_id", "status", "branch_id"):
        _problem(_post(own, "/api/v1/expenses", {"category": "travel", "amount": "10", "description": "的士",
                                                 field: demo_org["zhuwei"].pk if field != "status" else "approved"},
                       own_headers), 422)
    assert not (Receipt.objects.exists() or Receivable.objects.exists() or Expense.objects.exists())


def test_idempotency_key_replays_money_movements_and_never_applies_twice(seller, customer, finance, demo_org):
    """API.md (safety of writes): the same key and body return the first result and write
    once; the same key with another body is refused (422); allocations and reversals too."""
    client, headers = finance
    older, _newer = _two_receivables(seller, customer)
    body = {"customer_id": customer.pk, "amount": "500.00"}
    keyed = {**headers, "Idempotency-Key": "rc-2026-0001"}
    first = _post(client, "/api/v1/receipts", body, keyed)
    second = _post(client, "/api/v1/receipts", body, keyed)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Receipt.objects.count() == 1 and Allocation.objects.count() == 1
    older.refresh_from_db()
    assert older.allocated == Decimal("500.00")
    other = _problem(_post(client, "/api/v1/receipts", {**body, "amount": "600.00"}, keyed), 422)
    assert other["type"].endswith("/idempotency_mismatch")
    assert Receipt.objects.count() == 1

    receipt_id = first.json()["id"]
    reverse_key = {**headers, "Idempotency-Key": "rv-0001"}
    reversals = [_post(client, f"/api/v1/receipts/{receipt_id}/reverse", {"reason": "退票"}, reverse_key)
                 for _ in range(2)]
    assert [r.status_code for r in reversals] == [201, 201] and reversals[0].json() == reversals[1].json()
    assert Receipt.objects.filter(kind="reversal").count() == 1

    credit = services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="50", allocate=None)
    allocate_key = {**headers, "Idempotency-Key": "al-0001"}
    for _ in range(2):
        done = _post(client, f"/api/v1/receipts/{credit.pk}/allocations", {"allocations": "oldest"}, allocate_key)
        assert done.status_code == 200 and done.json()["allocated"] == "50.00"
    assert Allocation.objects.filter(receipt=credit).count() == 1
    _problem(_post(client, f"/api/v1/receipts/{credit.pk}/allocations", {"allocations": "oldest"}, keyed), 422)


def test_out_of_scope_is_404_and_forbidden_actions_403(seller, customer, demo_org, api_for):
    """ORG-3: Beijing finance neither sees nor touches Guangzhou money (404, nothing changed);
    a salesperson reads their own customers' money only and may not record any (403); a
    branch manager may read money but not reverse it (403)."""
    older, _newer = _two_receivables(seller, customer)
    receipt = services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="100")
    beijing, bj_headers = api_for(demo_org["gaoyan"])
    for url in (f"/api/v1/receipts/{receipt.pk}", f"/api/v1/receivables/{older.pk}"):
        _problem(beijing.get(url, headers=bj_headers), 404)
    assert beijing.get("/api/v1/receipts", headers=bj_headers).json()["items"] == []
    assert beijing.get("/api/v1/receivables", headers=bj_headers).json()["items"] == []
    _problem(_post(beijing, f"/api/v1/receipts/{receipt.pk}/reverse", {"reason": "x"}, bj_headers), 404)
    _problem(_post(beijing, f"/api/v1/receivables/{older.pk}/cancel", {"reason": "x"}, bj_headers), 404)
    _problem(_post(beijing, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "1"}, bj_headers), 404)
    bj_customer = customer_create(actor=demo_org["zhuwei"], name="北京接口客户")
    bj_receipt = _post(beijing, "/api/v1/receipts", {
        "customer_id": bj_customer.pk, "amount": "10",
        "allocations": [{"receivable_id": older.pk, "amount": "1"}]}, bj_headers)
    assert _problem(bj_receipt, 422)["errors"][0]["field"] == "allocations.0.receivable_id"  # not "not yours"
    allocation = receipt.allocations.get()
    _problem(beijing.post(f"/api/v1/receipts/{receipt.pk}/allocations/{allocation.pk}/reverse",
                          headers=bj_headers), 404)
    assert Receipt.objects.count() == 1 and Allocation.objects.filter(reversed_at__isnull=True).count() == 1

    own, own_headers = api_for(seller)
    assert [r["id"] for r in own.get("/api/v1/receipts", headers=own_headers).json()["items"]] == [receipt.pk]
    _problem(_post(own, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "1"}, own_headers), 403)
    manager, manager_headers = api_for(demo_org["majun"])
    mine = services.receipt_record(actor=demo_org["gaoyan"], customer=bj_customer, amount="20")
    assert manager.get(f"/api/v1/receipts/{mine.pk}", headers=manager_headers).status_code == 200
    _problem(_post(manager, f"/api/v1/receipts/{mine.pk}/reverse", {"reason": "x"}, manager_headers), 403)
    assert Receipt.objects.count() == 2 and not Receipt.objects.filter(kind="reversal").exists()


def test_errors_follow_the_request_language(customer, finance):
    """API.md: problem+json in the request's language (zh-Hans or en)."""
    client, headers = finance
    body = {"customer_id": customer.pk, "amount": "abc", "owner_id": 1}
    english = _problem(_post(client, "/api/v1/receipts", body, headers, HTTP_ACCEPT_LANGUAGE="en"), 422)
    chinese = _problem(_post(client, "/api/v1/receipts", body, headers, HTTP_ACCEPT_LANGUAGE="zh-hans"), 422)
    assert english["title"] == "Some fields are not valid." and chinese["title"] == "部分字段无效。"
    assert {e["field"]: e["message"] for e in english["errors"]} == {
        "amount": "Enter a number.", "owner_id": "Unknown field: it is not part of this resource or cannot be set."}
    assert {e["field"]: e["message"] for e in chinese["errors"]} == {
        "amount": "请输入数字。", "owner_id": "未知字段：该字段不属于此资源或不可设置。"}
    missing = _problem(client.get("/api/v1/receipts/999999", headers=headers, HTTP_ACCEPT_LANGUAGE="zh-hans"), 404)
    assert missing["detail"] == "记录不存在，或不在您的数据范围内。"
    for language, message in (("en", "Amounts have at most two decimals (fen)."), ("zh-hans", "金额最多两位小数（到分）。")):
        domain = _problem(_post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "1.005"},
                                headers, HTTP_ACCEPT_LANGUAGE=language), 422)
        assert domain["errors"] == [{"field": "amount", "message": message}]
    currency = _problem(_post(client, "/api/v1/receipts", {"customer_id": customer.pk, "amount": "1",
                                                           "currency": "USD"}, headers, HTTP_ACCEPT_LANGUAGE="zh-hans"),
                        422)
    assert currency["errors"] == [{"field": "currency", "message": "只接受人民币（CNY）。"}]


def test_lists_are_cursor_pages(customer, finance, demo_org):
    """API.md: limit and cursor walk every record once; bad limits and sorts are 422, a
    tampered cursor is malformed (400)."""
    client, headers = finance
    made = {services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount=str(10 + i),
                                    allocate=None).pk for i in range(5)}
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/receipts", {"limit": 2, **({"cursor": cursor} if cursor else {})},
                          headers=headers).json()
        assert len(page["items"]) <= 2
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    by_amount = client.get("/api/v1/receipts", {"ordering": "-amount", "limit": 1}, headers=headers).json()
    assert by_amount["items"][0]["amount"] == "14.00" and by_amount["next_cursor"]
    for query in ({"limit": 500}, {"limit": 0}, {"ordering": "notes"}):
        _problem(client.get("/api/v1/receipts", query, headers=headers), 422)
    _problem(client.get("/api/v1/receipts", {"cursor": "bad"}, headers=headers), 400)


def test_money_lists_cost_the_same_queries_for_one_row_or_many(seller, customer, finance, demo_org):
    """STYLE (no N+1): receipts with allocations and reversals, receivables and payment plans
    are listed in a fixed number of queries."""
    client, headers = finance

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, headers=headers).status_code == 200
        return len(captured)

    def add_rows():
        order = sales.order_create(actor=seller, customer=customer, lines=[
            {"description": "件", "quantity": Decimal("1"), "unit_price": Decimal("100"), "tax_rate": Decimal("0")}])
        invoices.payment_plan_set(actor=seller, order=order, instalments=[(TODAY, "40", ""), (TODAY, "60", "")])
        sales.order_confirm(actor=seller, order=order)
        receipt = services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="30")
        services.receipt_reverse(actor=demo_org["zhouhong"], receipt=receipt, reason="测试")

    add_rows()
    client.get("/api/v1/receipts", headers=headers)  # the token's first use is bookkept once
    before = {url: queries(url) for url in ("/api/v1/receipts", "/api/v1/receivables", "/api/v1/payment-plans")}
    for _ in range(3):
        add_rows()
    assert {url: queries(url) for url in before} == before


# --- payables and payments (FIN-2) -----------------------------------------------------------------
def test_payables_and_payments_settle_and_reverse_like_receipts(demo_org, api_for):
    """FIN-2: a goods receipt's payable and one by hand are paid oldest first; a payment's
    allocation is taken back and the payment reversed; Shanghai finance sees none of it."""
    buyer, cashier = demo_org["wuqiang"], demo_org["zhouhong"]
    supplier = purchasing.supplier_save(actor=buyer, name="东莞接口供应商", payment_days=45)
    order = purchasing.purchase_order_create(actor=buyer, supplier=supplier, lines=[
        {"description": "料", "quantity": Decimal("10"), "unit_price": Decimal("100"), "tax_rate": Decimal("0")}])
    purchasing.purchase_order_place(actor=buyer, order=order)
    purchasing.goods_receipt_create(actor=buyer, order=order, quantities={order.lines.get().pk: "10"})
    from_goods = Payable.objects.get()
    client, headers = api_for(cashier)
    made = _post(client, "/api/v1/payables", {"supplier_id": supplier.pk, "amount": "200.00",
                                              "due_on": str(TODAY + datetime.timedelta(days=90))}, headers)
    assert made.status_code == 201, made.content
    assert made.json()["owner_id"] == buyer.pk and made.json()["purchase_order_id"] is None
    listed = client.get("/api/v1/payables", {"supplier_id": supplier.pk}, headers=headers).json()["items"]
    assert [p["id"] for p in listed] == [from_goods.pk, made.json()["id"]]
    assert listed[0]["amount"] == "1000.00" and listed[0]["goods_receipt_id"] is not None
    assert client.get("/api/v1/payables", {"purchase_order_id": order.pk}, headers=headers).json()[
        "items"][0]["id"] == from_goods.pk

    paid = _post(client, "/api/v1/payments", {"supplier_id": supplier.pk, "amount": "1100", "method": "bank"},
                 {**headers, "Idempotency-Key": "pm-1"})
    assert paid.status_code == 201, paid.content
    payment = paid.json()
    assert payment["payee"] == supplier.name and payment["allocated"] == "1100.00"
    assert [(a["payable_id"], a["amount"]) for a in payment["allocations"]] == [
        (from_goods.pk, "1000.00"), (made.json()["id"], "100.00")]
    replay = _post(client, "/api/v1/payments", {"supplier_id": supplier.pk, "amount": "1100", "method": "bank"},
                   {**headers, "Idempotency-Key": "pm-1"})
    assert replay.json() == payment and Payment.objects.count() == 1
    _problem(_post(client, f"/api/v1/payables/{from_goods.pk}/cancel", {"reason": "x"}, headers), 409)
    allocation = payment["allocations"][1]["id"]
    back = client.post(f"/api/v1/payments/{payment['id']}/allocations/{allocation}/reverse", headers=headers)
    assert back.status_code == 200 and back.json()["unallocated"] == "100.00"
    again = _post(client, f"/api/v1/payments/{payment['id']}/allocations",
                  {"allocations": [{"payable_id": made.json()["id"], "amount": "100.00"}]}, headers)
    assert again.status_code == 200 and again.json()["unallocated"] == "0.00"
    reversal = _post(client, f"/api/v1/payments/{payment['id']}/reverse", {"reason": "重复付款"}, headers)
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-1100.00"
    _problem(_post(client, f"/api/v1/payments/{reversal.json()['id']}/reverse", {"reason": "x"}, headers), 409)
    from_goods.refresh_from_db()
    assert from_goods.allocated == 0 and from_goods.status == "open"
    assert client.get(f"/api/v1/payments/{payment['id']}", headers=headers).json()["reversed_by_id"] == \
        reversal.json()["id"]

    shanghai, sh_headers = api_for(demo_org["caoli"])
    _problem(shanghai.get(f"/api/v1/payments/{payment['id']}", headers=sh_headers), 404)
    _problem(shanghai.get(f"/api/v1/payables/{from_goods.pk}", headers=sh_headers), 404)
    _problem(_post(shanghai, "/api/v1/payments", {"supplier_id": supplier.pk, "amount": "1"}, sh_headers), 404)
    buyer_client, buyer_headers = api_for(buyer)
    _problem(buyer_client.get("/api/v1/payables", headers=buyer_headers), 403)
    assert Payment.objects.count() == 2


# --- payment plans and invoices (FIN-1) ------------------------------------------------------------
def test_payment_plan_set_read_and_fixed_once_paid(seller, customer, demo_org, api_for):
    """FIN-1: PUT an order's instalments (adding up to its total); they become receivables
    when it is confirmed; out of scope 404; fixed once money is received (409)."""
    order = sales.order_create(actor=seller, customer=customer, lines=[
        {"description": "设备", "quantity": Decimal("1"), "unit_price": Decimal("9000"), "tax_rate": Decimal("0")}])
    client, headers = api_for(seller)
    url = f"/api/v1/orders/{order.pk}/payment-plan"
    first, second = TODAY + datetime.timedelta(days=10), TODAY + datetime.timedelta(days=70)
    plan = {"instalments": [{"due_on": str(first), "amount": "3000", "description": "首付"},
                            {"due_on": str(second), "amount": "6000.00", "description": "尾款"}], "notes": "合同"}
    wrong = {"instalments": [{"due_on": str(first), "amount": "3000"}, {"due_on": str(second), "amount": "5000"}]}
    assert _problem(client.put(url, json.dumps(wrong), content_type="application/json", headers=headers),
                    422)["errors"][0]["field"] == "instalments"
    for bad in ({"instalments": []}, {"instalments": [{"amount": "9000"}]},
                {"instalments": [{"due_on": str(first), "amount": "9000.001"}]}, {**plan, "order_id": order.pk}):
        _problem(client.put(url, json.dumps(bad), content_type="application/json", headers=headers), 422)
    assert not PaymentPlan.objects.exists()
    saved = client.put(url, json.dumps(plan), content_type="application/json", headers=headers)
    assert saved.status_code == 200, saved.content
    assert [(i["position"], i["amount"], i["receivable_id"]) for i in saved.json()["instalments"]] == [
        (1, "3000.00", None), (2, "6000.00", None)]
    sales.order_confirm(actor=seller, order=order)
    listed = client.get("/api/v1/payment-plans", {"order_id": order.pk}, headers=headers).json()["items"]
    assert len(listed) == 1 and all(i["receivable_id"] for i in listed[0]["instalments"])
    assert client.get(f"/api/v1/payment-plans/{listed[0]['id']}", headers=headers).json()["order_id"] == order.pk

    stranger, stranger_headers = api_for(demo_org["zhuwei"])
    _problem(stranger.get(f"/api/v1/payment-plans/{listed[0]['id']}", headers=stranger_headers), 404)
    assert stranger.get("/api/v1/payment-plans", headers=stranger_headers).json()["items"] == []
    _problem(stranger.put(url, json.dumps(plan), content_type="application/json", headers=stranger_headers), 404)
    services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="3000")
    _problem(client.put(url, json.dumps({"instalments": [{"due_on": str(first), "amount": "9000"}]}),
                        content_type="application/json", headers=headers), 409)
    assert PaymentPlan.objects.get().instalments.count() == 2


def test_invoices_requested_approved_issued_and_cancelled(seller, customer, demo_org, api_for):
    """FIN-1: the salesperson requests an invoice (to approval); finance issues it with its
    number, once; never more than the order (422); Beijing finance sees none (404)."""
    order = confirmed_order(seller, customer, ((1, "10000.00"),))
    own, own_headers = api_for(seller)
    body = {"order_id": order.pk, "amount": "6000", "kind": "special", "buyer_tax_id": "91440101MA5ABCDE1X"}
    _problem(_post(own, "/api/v1/invoices", {**body, "buyer_tax_id": ""}, own_headers), 422)
    requested = _post(own, "/api/v1/invoices", body, own_headers)
    assert requested.status_code == 201, requested.content
    invoice = requested.json()
    assert invoice["status"] == "pending_approval" and invoice["amount"] == "6000.00"
    assert invoice["buyer_name"] == customer.name and invoice["owner_id"] == seller.pk
    over = _problem(_post(own, "/api/v1/invoices", {**body, "amount": "4000.01", "kind": "ordinary"}, own_headers),
                    422)
    assert over["errors"][0]["field"] == "amount"
    _problem(_post(own, "/api/v1/invoices", {**body, "status": "issued"}, own_headers), 422)
    assert [i["id"] for i in own.get("/api/v1/invoices", headers=own_headers).json()["items"]] == [invoice["id"]]
    _problem(_post(own, f"/api/v1/invoices/{invoice['id']}/issue", {"invoice_number": "1"}, own_headers), 403)

    cashier = demo_org["zhouhong"]
    client, headers = api_for(cashier)
    _problem(_post(client, f"/api/v1/invoices/{invoice['id']}/issue", {"invoice_number": "44001234"}, headers), 409)
    approval_decide(actor=cashier, request=ApprovalRequest.objects.get(doc_type="finance.invoice",
                                                                      object_id=invoice["id"]), approve=True)
    _problem(_post(client, f"/api/v1/invoices/{invoice['id']}/issue", {"invoice_number": "44 00"}, headers), 422)
    issued = _post(client, f"/api/v1/invoices/{invoice['id']}/issue", {"invoice_number": "44001234"}, headers)
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert issued.json()["issued_on"] == str(TODAY) and issued.json()["invoice_number"] == "44001234"
    _problem(_post(client, f"/api/v1/invoices/{invoice['id']}/issue", {"invoice_number": "44001235"}, headers), 409)
    listed = client.get("/api/v1/invoices", {"order_id": order.pk, "status": "issued"}, headers=headers).json()
    assert [i["id"] for i in listed["items"]] == [invoice["id"]]
    beijing, bj_headers = api_for(demo_org["gaoyan"])
    _problem(beijing.get(f"/api/v1/invoices/{invoice['id']}", headers=bj_headers), 404)
    _problem(_post(beijing, f"/api/v1/invoices/{invoice['id']}/cancel", {"reason": "x"}, bj_headers), 404)
    cancelled = _post(client, f"/api/v1/invoices/{invoice['id']}/cancel", {"reason": "红冲"}, headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    _problem(_post(client, f"/api/v1/invoices/{invoice['id']}/cancel", {"reason": "再次"}, headers), 409)
    assert Invoice.objects.count() == 1


# --- expenses (FIN-3) ------------------------------------------------------------------------------
def test_expenses_drafted_patched_attached_and_submitted(seller, demo_org, api_for):
    """FIN-3: one's own draft, changed with If-Match, a receipt attached by content, submitted
    to the manager; then fixed (409). Others outside the scope get 404; the manager sees it."""
    client, headers = api_for(seller)
    categories = client.get("/api/v1/expense-categories", headers=headers).json()
    assert {"code": "travel", "name": "差旅费", "parent": "sales"} in categories
    made = _post(client, "/api/v1/expenses", {"category": "travel", "amount": "356.50",
                                              "description": "北京出差高铁票"}, headers)
    assert made.status_code == 201, made.content
    expense = made.json()
    assert expense["status"] == "draft" and expense["owner_id"] == seller.pk and expense["amount"] == "356.50"
    assert expense["spent_on"] == str(TODAY) and expense["department_id"] == seller.department_id
    _problem(_post(client, "/api/v1/expenses", {"category": "yacht", "amount": "1", "description": "x"}, headers),
             422)
    _problem(_post(client, "/api/v1/expenses", {"category": "travel", "amount": "-1", "description": "x"},
                   headers), 422)
    url = f"/api/v1/expenses/{expense['id']}"
    etag = client.get(url, headers=headers)["ETag"]
    changed = client.patch(url, json.dumps({"amount": "360.00", "category": "transport"}),
                           content_type="application/json", headers={**headers, "If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["amount"] == "360.00" and changed.json()["category"] == "transport"
    assert changed["ETag"] != etag
    stale = client.patch(url, json.dumps({"amount": "1.00"}), content_type="application/json",
                         headers={**headers, "If-Match": etag})
    _problem(stale, 412)
    assert Expense.objects.get().amount == Decimal("360.00")
    _problem(client.patch(url, json.dumps({"status": "approved"}), content_type="application/json",
                          headers=headers), 422)

    attached = client.post(f"{url}/attachments", {"file": SimpleUploadedFile("票.png", PNG, "image/png")},
                           headers=headers)
    assert attached.status_code == 201, attached.content
    assert attached.json()["content_type"] == "image/png" and attached.json()["original_name"] == "票.png"
    fake = client.post(f"{url}/attachments", {"file": SimpleUploadedFile("x.png", b"<script>", "image/png")},
                       headers=headers)
    assert _problem(fake, 422)["errors"][0]["field"] == "file"
    _problem(client.post(f"{url}/attachments", {}, headers=headers), 422)
    assert ExpenseAttachment.objects.count() == 1

    stranger, stranger_headers = api_for(demo_org["zhuwei"])
    _problem(stranger.get(url, headers=stranger_headers), 404)
    _problem(stranger.post(f"{url}/submit", headers=stranger_headers), 404)
    _problem(stranger.post(f"{url}/attachments", {"file": SimpleUploadedFile("p.png", PNG, "image/png")},
                           headers=stranger_headers), 404)
    submitted = client.post(f"{url}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending_approval"
    assert len(submitted.json()["attachments"]) == 1
    assert ApprovalRequest.objects.filter(doc_type="finance.expense", object_id=expense["id"]).exists()
    _problem(client.patch(url, json.dumps({"amount": "1.00"}), content_type="application/json", headers=headers),
             409)
    _problem(client.post(f"{url}/cancel", headers=headers), 409)
    manager, manager_headers = api_for(demo_org["wangjianguo"])
    assert [e["id"] for e in manager.get("/api/v1/expenses", {"status": "pending_approval"},
                                         headers=manager_headers).json()["items"]] == [expense["id"]]
    assert stranger.get("/api/v1/expenses", headers=stranger_headers).json()["items"] == []
    draft = _post(client, "/api/v1/expenses", {"category": "travel", "amount": "5", "description": "公交"},
                  headers).json()
    assert client.post(f"/api/v1/expenses/{draft['id']}/cancel", headers=headers).json()["status"] == "cancelled"


# --- the ageing report (FIN-4) ---------------------------------------------------------------------
def test_ageing_report_buckets_groups_and_scope(seller, customer, demo_org, api_for):
    """FIN-4: outstanding in buckets of days overdue, per customer, salesperson or branch, as of
    a day; future days and unknown groups are 422; Beijing finance sees nothing of Guangzhou."""
    older, newer = _two_receivables(seller, customer)
    services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="200")
    client, headers = api_for(demo_org["zhouhong"])
    report = client.get("/api/v1/reports/ageing", headers=headers)
    assert report.status_code == 200, report.content
    data = report.json()
    assert data["group"] == "customer" and data["as_of"] == str(TODAY) and data["currency"] == "CNY"
    row = next(r for r in data["rows"] if r["key"] == customer.pk)
    assert row["buckets"]["older"] == "300.00" and row["buckets"]["current"] == "300.00"
    assert row["total"] == "600.00" and row["overdue"] == "300.00" and row["oldest_days"] > 180
    assert data["totals"]["total"] == "600.00"
    by_owner = client.get("/api/v1/reports/ageing", {"group": "owner"}, headers=headers).json()
    assert [(r["key"], r["total"]) for r in by_owner["rows"]] == [(seller.pk, "600.00")]
    past = client.get("/api/v1/reports/ageing", {"as_of": "2019-12-15", "group": "branch"}, headers=headers).json()
    assert [(r["key"], r["buckets"]["current"]) for r in past["rows"]] == [(seller.branch_id, "500.00")]
    future = str(TODAY + datetime.timedelta(days=1))
    assert _problem(client.get("/api/v1/reports/ageing", {"as_of": future}, headers=headers),
                    422)["errors"][0]["field"] == "as_of"
    _problem(client.get("/api/v1/reports/ageing", {"group": "planet"}, headers=headers), 422)
    beijing, bj_headers = api_for(demo_org["gaoyan"])
    assert beijing.get("/api/v1/reports/ageing", headers=bj_headers).json()["rows"] == []
    own, own_headers = api_for(seller)
    rows = own.get("/api/v1/reports/ageing", headers=own_headers).json()["rows"]
    assert {row["label"] for row in rows} <= {customer.name}  # their own customers only


# --- the contract of the router ------------------------------------------------------------------
def _operations(router):
    for path, path_view in path_operations(router):
        for operation in path_view.operations:
            for method in operation.methods:
                yield method, path, operation


def _first_call(view_func):
    body = ast.parse(textwrap.dedent(inspect.getsource(view_func))).body[0].body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    statement = body[0]
    return statement.value if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) else None


def declared_code(view_func):
    """The permission an endpoint checks first: the literal of ``require_perm(request, "…")``,
    or, for an endpoint made by a factory of ``guanxi.api.routes``, its ``required_permission``
    when the factory's function checks it first (``require_perm(request, perm)``)."""
    call = _first_call(view_func)
    if call is None or getattr(call.func, "id", None) != "require_perm" or len(call.args) != 2:
        return None
    argument = call.args[1]
    if isinstance(argument, ast.Constant):
        return argument.value
    if isinstance(argument, ast.Name) and argument.id == "perm" and view_func.__module__ == "guanxi.api.routes":
        return getattr(view_func, "required_permission", None)
    return None


def declares_permission(operation, modules):
    """The first statement is ``require_perm(request, "<module>.<action>")`` with a known code
    (literal, or a factory's declared one), or ``require_branch_member(request)`` (expenses are
    everyone's)."""
    call = _first_call(operation.view_func)
    if call is not None and getattr(call.func, "id", None) == "require_branch_member":
        return True
    code = declared_code(operation.view_func)
    return code in all_codes() and code.split(".")[0] in modules


def test_every_endpoint_declares_its_permission_and_money_movements_document_the_key(db, client):
    """SECURITY (missing function-level checks), API.md: each finance endpoint checks a known
    permission first; the OpenAPI document names Idempotency-Key on every money movement."""
    operations = list(_operations(finance_router.router))
    assert len(operations) >= 35
    assert [(m, p) for m, p, op in operations if not declares_permission(op, {"finance", "sales"})] == []
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/receipts", "/api/v1/receipts/{receipt_id}/allocations",
                 "/api/v1/receipts/{receipt_id}/reverse", "/api/v1/payments",
                 "/api/v1/payments/{payment_id}/allocations/{allocation_id}/reverse"):
        assert "Idempotency-Key" in [p["name"] for p in paths[path]["post"]["parameters"]], path
    assert "/api/v1/reports/ageing" in paths and "/api/v1/orders/{order_id}/payment-plan" in paths
