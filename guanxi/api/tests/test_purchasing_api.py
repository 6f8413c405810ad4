"""API: suppliers (PUR-1), purchase orders (PUR-2) and goods receipts (PUR-3) making
payables (FIN-2), within the purchasers' scopes (ORG-3)."""

import json
from decimal import Decimal

import pytest

from guanxi.api.routers import purchasing as purchasing_router
from guanxi.core.transitions import status_history
from guanxi.finance.models import Payable
from guanxi.purchasing import services
from guanxi.purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseStatus, Supplier
from guanxi.sales import services as sales

from .test_finance_api import PROBLEM, _operations, _post, _problem, declares_permission


@pytest.fixture
def buyer(demo_org):
    return demo_org["wuqiang"]  # purchaser, Guangzhou, own records


@pytest.fixture
def buying(buyer, api_for):
    return api_for(buyer)


@pytest.fixture
def supplier(buyer):
    return services.supplier_save(actor=buyer, name="东莞精密电子有限公司", payment_days=45)


def _lines(*rows):
    return [{"description": f"料{i}", "quantity": quantity, "unit_price": price, "tax_rate": "0.13"}
            for i, (quantity, price) in enumerate(rows)]


def _patch(client, url, body, headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


# --- suppliers (PUR-1) -----------------------------------------------------------------------------
def test_suppliers_create_read_patch_with_if_match_and_soft_delete(buyer, buying, demo_org, api_for):
    """PUR-1: a purchaser's supplier (owner and branch from the caller), changed with If-Match
    (stale: 412, unchanged), deleted into the recycle bin by whoever may delete."""
    client, headers = buying
    body = {"name": "佛山五金制品厂", "code": "FS-01", "category": "parts", "phone": "0757-8888 1234",
            "tax_id": "91440600MA4ABCDE2Y", "bank_name": "工商银行", "bank_account": "6222 0000 1111",
            "payment_days": 60}
    made = _post(client, "/api/v1/suppliers", body, headers)
    assert made.status_code == 201, made.content
    supplier = made.json()
    assert supplier["owner_id"] == buyer.pk and supplier["branch_id"] == buyer.branch_id
    assert supplier["category"] == "parts" and supplier["payment_days"] == 60 and supplier["is_active"]
    for bad in ({**body, "category": "weapons"}, {**body, "owner_id": demo_org["dengchao"].pk},
                {**body, "branch_id": 1}, {**body, "name": ""}, {**body, "payment_days": -1},
                {**body, "customer_id": 999999}):
        _problem(_post(client, "/api/v1/suppliers", bad, headers), 422)
    assert Supplier.objects.count() == 1

    url = f"/api/v1/suppliers/{supplier['id']}"
    etag = client.get(url, headers=headers)["ETag"]
    changed = _patch(client, url, {"payment_days": 30, "contact_name": "陈经理"}, {**headers, "If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["payment_days"] == 30 and changed["ETag"] != etag
    _problem(_patch(client, url, {"payment_days": 90}, {**headers, "If-Match": etag}), 412)
    _problem(_patch(client, url, {"owner_id": demo_org["dengchao"].pk}, headers), 422)
    assert Supplier.objects.get().payment_days == 30
    assert [s["id"] for s in client.get("/api/v1/suppliers", {"q": "五金"}, headers=headers).json()["items"]] == [
        supplier["id"]]
    assert client.get("/api/v1/suppliers", {"category": "materials"}, headers=headers).json()["items"] == []

    _problem(client.delete(url, headers=headers), 403)  # a purchaser may not delete
    head, head_headers = api_for(demo_org["zhouhong"])  # heads the department tree; purchasing "*"
    assert head.delete(url, headers=head_headers).status_code == 204
    _problem(client.get(url, headers=headers), 404)
    assert Supplier.all_objects.get().deleted_at is not None


def test_supplier_with_open_orders_is_kept(buyer, supplier, demo_org, api_for):
    """PUR-1: a supplier with placed purchase orders cannot be deleted (409, kept)."""
    order = services.purchase_order_create(actor=buyer, supplier=supplier, lines=[
        {"description": "料", "quantity": Decimal("1"), "unit_price": Decimal("10")}])
    services.purchase_order_place(actor=buyer, order=order)
    client, headers = api_for(demo_org["zhouhong"])
    _problem(client.delete(f"/api/v1/suppliers/{supplier.pk}", headers=headers), 409)
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_scope_is_404_and_missing_permissions_403(buyer, supplier, demo_org, api_for):
    """ORG-3: Shanghai's purchaser neither sees nor uses a Guangzhou supplier or order (404,
    nothing written); a salesperson holds no purchasing permission (403)."""
    order = services.purchase_order_create(actor=buyer, supplier=supplier, lines=[
        {"description": "料", "quantity": Decimal("2"), "unit_price": Decimal("10")}])
    shanghai, sh_headers = api_for(demo_org["dengchao"])
    for url in (f"/api/v1/suppliers/{supplier.pk}", f"/api/v1/purchase-orders/{order.pk}"):
        _problem(shanghai.get(url, headers=sh_headers), 404)
    _problem(_patch(shanghai, f"/api/v1/suppliers/{supplier.pk}", {"name": "改名"}, sh_headers), 404)
    _problem(_post(shanghai, "/api/v1/purchase-orders", {"supplier_id": supplier.pk, "lines": _lines(("1", "1"))},
                   sh_headers), 404)
    _problem(shanghai.post(f"/api/v1/purchase-orders/{order.pk}/place", headers=sh_headers), 404)
    _problem(_post(shanghai, "/api/v1/goods-receipts", {"order_id": order.pk, "quantities": {"1": "1"}},
                   sh_headers), 404)
    assert shanghai.get("/api/v1/suppliers", headers=sh_headers).json()["items"] == []
    assert shanghai.get("/api/v1/purchase-orders", headers=sh_headers).json()["items"] == []
    seller, seller_headers = api_for(demo_org["liuyang"])
    _problem(seller.get("/api/v1/suppliers", headers=seller_headers), 403)
    _problem(_post(seller, "/api/v1/suppliers", {"name": "不该有的供应商"}, seller_headers), 403)
    order.refresh_from_db()
    assert order.status == PurchaseStatus.DRAFT and Supplier.objects.count() == 1
    assert PurchaseOrder.objects.count() == 1 and not GoodsReceipt.objects.exists()


# --- purchase orders (PUR-2) -----------------------------------------------------------------------
def test_purchase_orders_drafted_patched_placed_and_cancelled(buyer, buying, supplier, demo_org, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    """PUR-2: lines priced by the server (Decimal, half up to the fen); a draft changes with
    If-Match; placed, it is fixed (409); a draft is cancelled once; e-mailed as a PDF."""
    client, headers = buying
    product = sales.product_save(actor=demo_org["wangjianguo"], sku="P-100", name="传感器", list_price=Decimal("99"),
                                 unit="个", tax_rate=Decimal("0.06"))
    body = {"supplier_id": supplier.pk, "expected_on": "2030-01-31",
            "lines": [*_lines(("10", "100.00"), ("4", "250")), {"product_id": product.pk, "quantity": 3,
                                                                "unit_price": "33.33"}]}
    made = _post(client, "/api/v1/purchase-orders", body, headers)
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["status"] == "draft" and order["owner_id"] == buyer.pk and order["currency"] == "CNY"
    assert order["total"] == "2365.99" and order["tax_total"] == "266.00"
    third = order["lines"][2]
    assert (third["description"], third["unit"], third["tax_rate"], third["total"]) == ("传感器", "个", "0.0600",
                                                                                         "105.99")
    for bad, field in (({"quantity": "0"}, "lines.0.quantity"), ({"quantity": "1.0001"}, "lines.0.quantity"),
                       ({"unit_price": "-1"}, "lines.0.unit_price"), ({"unit_price": "1.005"}, "lines.0.unit_price"),
                       ({"discount_percent": "101"}, "lines.0.discount_percent"),
                       ({"product_id": 999999}, "lines.0.product_id"), ({"total": "1"}, "lines.0.total")):
        line = {**_lines(("1", "1"))[0], **bad}
        problem = _problem(_post(client, "/api/v1/purchase-orders", {**body, "lines": [line]}, headers), 422)
        assert problem["errors"][0]["field"] == field, (bad, problem)
    blank = _problem(_post(client, "/api/v1/purchase-orders", {**body, "lines": [{"quantity": "1", "unit_price": "1"}]},
                           headers), 422)
    assert blank["errors"][0]["field"] == "lines.0.description"
    for extra in ({"status": "ordered"}, {"owner_id": buyer.pk}, {"total": "1"}, {"branch_id": 1}):
        _problem(_post(client, "/api/v1/purchase-orders", {**body, **extra}, headers), 422)
    _problem(_post(client, "/api/v1/purchase-orders", {**body, "lines": []}, headers), 422)
    assert PurchaseOrder.objects.count() == 1

    url = f"/api/v1/purchase-orders/{order['id']}"
    etag = client.get(url, headers=headers)["ETag"]
    changed = _patch(client, url, {"lines": _lines(("2", "50")), "notes": "加急"}, {**headers, "If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["total"] == "113.00" and len(changed.json()["lines"]) == 1
    _problem(_patch(client, url, {"notes": "覆盖"}, {**headers, "If-Match": etag}), 412)
    assert PurchaseOrder.objects.get().notes == "加急"
    placed = client.post(f"{url}/place", headers=headers)
    assert placed.status_code == 200 and placed.json()["status"] == "ordered" and placed.json()["ordered_at"]
    _problem(_patch(client, url, {"notes": "改"}, headers), 409)
    listed = client.get("/api/v1/purchase-orders", {"status": "ordered", "supplier_id": supplier.pk},
                        headers=headers).json()["items"]
    assert [o["id"] for o in listed] == [order["id"]]

    draft = _post(client, "/api/v1/purchase-orders", {**body, "lines": _lines(("1", "5"))}, headers).json()
    _problem(_post(client, f"/api/v1/purchase-orders/{draft['id']}/cancel", {"reason": ""}, headers), 422)
    cancelled = _post(client, f"/api/v1/purchase-orders/{draft['id']}/cancel", {"reason": "供应商停产"}, headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    _problem(_post(client, f"/api/v1/purchase-orders/{draft['id']}/cancel", {"reason": "again"}, headers), 409)
    _problem(client.post(f"/api/v1/purchase-orders/{draft['id']}/place", headers=headers), 409)
    # the reason is in the status history once (the refused second cancel wrote nothing), not in the remarks

    cancelled_order = PurchaseOrder.objects.get(pk=draft["id"])
    assert "供应商停产" not in cancelled_order.notes
    assert [row.reason for row in status_history(cancelled_order)] == ["供应商停产"]

    _problem(_post(client, f"{url}/send", {"to": "not-an-address"}, headers), 422)
    with django_capture_on_commit_callbacks(execute=True):
        sent = _post(client, f"{url}/send", {"to": "sales@dg.example", "message": "请确认"}, headers)
    assert sent.status_code == 200, sent.content
    assert mailoutbox[-1].to == ["sales@dg.example"] and mailoutbox[-1].attachments[0][2] == "application/pdf"


# --- goods receipts (PUR-3) ------------------------------------------------------------------------
def test_goods_receipts_partial_never_beyond_the_order_and_make_payables(buyer, buying, supplier, demo_org,
                                                                        api_for):
    """PUR-3: receive from the order by line position, partly; more than is left is 422 and
    nothing is received; each receipt makes its payable (FIN-2), which add up to the order's
    total to the fen however it was split."""
    client, headers = buying
    order = _post(client, "/api/v1/purchase-orders", {"supplier_id": supplier.pk,
                                                      "lines": _lines(("3", "33.33"), ("4", "250"))}, headers).json()
    assert order["total"] == "1242.99"
    _problem(_post(client, "/api/v1/goods-receipts", {"order_id": order["id"], "quantities": {"1": "1"}}, headers),
             409)  # a draft is not received
    client.post(f"/api/v1/purchase-orders/{order['id']}/place", headers=headers)
    url = "/api/v1/goods-receipts"
    first = _post(client, url, {"order_id": order["id"], "quantities": {"1": "1"}, "warehouse": "gz",
                                "notes": "第一批"}, headers)
    assert first.status_code == 201, first.content
    receipt = first.json()
    assert receipt["lines"] == [{"order_line": 1, "quantity": "1.000"}] and receipt["supplier_id"] == supplier.pk
    assert receipt["warehouse"] == "gz" and receipt["payable_id"]
    payable = Payable.objects.get(pk=receipt["payable_id"])
    assert payable.amount == Decimal("37.66") and (payable.due_on - payable.issued_on).days == 45
    for bad, field in (({"1": "3"}, "quantities.1"), ({"9": "1"}, "quantities.9"), ({"1": "-1"}, "quantities.1"),
                       ({"1": "0.0001"}, "quantities.1"), ({}, "quantities"), ({"1": "0"}, "quantities")):
        problem = _problem(_post(client, url, {"order_id": order["id"], "quantities": bad}, headers), 422)
        assert problem["errors"][0]["field"] == field, (bad, problem)
    _problem(_post(client, url, {"order_id": order["id"], "quantities": {"1": "1"}, "warehouse": "moon"}, headers),
             422)
    _problem(_post(client, url, {"order_id": order["id"], "quantities": {"1": "1"}, "payable_id": 1}, headers), 422)
    assert GoodsReceipt.objects.count() == 1 and Payable.objects.count() == 1
    _post(client, url, {"order_id": order["id"], "quantities": {"1": "1", "2": "4"}}, headers)
    last = _post(client, url, {"order_id": order["id"], "quantities": {"1": "1"}}, headers)
    assert last.status_code == 201
    detail = client.get(f"/api/v1/purchase-orders/{order['id']}", headers=headers).json()
    assert detail["status"] == "received" and [line["remaining"] for line in detail["lines"]] == ["0.000", "0.000"]
    assert sum(p.amount for p in Payable.objects.all()) == Decimal("1242.99")
    _problem(_post(client, url, {"order_id": order["id"], "quantities": {"1": "1"}}, headers), 409)

    listed = client.get(url, {"order_id": order["id"], "limit": 2}, headers=headers).json()
    assert len(listed["items"]) == 2 and listed["next_cursor"]
    rest = client.get(url, {"order_id": order["id"], "limit": 2, "cursor": listed["next_cursor"]},
                      headers=headers).json()
    assert len(rest["items"]) == 1 and not rest["next_cursor"]
    assert client.get(f"{url}/{receipt['id']}", headers=headers).json()["notes"] == "第一批"
    finance, finance_headers = api_for(demo_org["zhouhong"])
    payables = finance.get("/api/v1/payables", {"purchase_order_id": order["id"]}, headers=finance_headers)
    # 112.99 for three pieces: 37.66 + 37.67 + 37.66, not 3 × 37.66 (a fen lost); 1130.00 for line 2.
    assert sorted(p["amount"] for p in payables.json()["items"]) == ["1167.67", "37.66", "37.66"]
    seller, seller_headers = api_for(demo_org["liuyang"])
    _problem(_post(seller, url, {"order_id": order["id"], "quantities": {"1": "1"}}, seller_headers), 403)


def test_errors_in_the_request_language(buying, supplier):
    """API.md: validation and not-found problems in zh-Hans or en."""
    client, headers = buying
    zh = _problem(_post(client, "/api/v1/purchase-orders", {"supplier_id": supplier.pk}, headers,
                        HTTP_ACCEPT_LANGUAGE="zh-hans"), 422)
    assert zh["errors"] == [{"field": "lines", "message": "这个字段是必填项。"}]
    en = _problem(_post(client, "/api/v1/purchase-orders", {"supplier_id": supplier.pk}, headers,
                        HTTP_ACCEPT_LANGUAGE="en"), 422)
    assert en["errors"] == [{"field": "lines", "message": "This field is required."}]
    gone = client.get("/api/v1/goods-receipts/999999", headers=headers, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert gone.status_code == 404 and gone["Content-Type"] == PROBLEM and gone.json()["title"] == "未找到。"
    order = services.purchase_order_create(actor=supplier.owner, supplier=supplier, lines=[
        {"description": "料", "quantity": Decimal("2"), "unit_price": Decimal("10")}])
    body = {"order_id": order.pk, "quantities": {"1": "1"}}
    draft = _problem(_post(client, "/api/v1/goods-receipts", body, headers, HTTP_ACCEPT_LANGUAGE="zh-hans"), 409)
    assert draft["detail"] == "只有已下达的采购单才能收货。"
    services.purchase_order_place(actor=supplier.owner, order=order)
    for language, message in (("zh-hans", "仅剩 2 未到货。"), ("en", "Only 2 left to receive.")):
        too_much = _problem(_post(client, "/api/v1/goods-receipts", {**body, "quantities": {"1": "3"}}, headers,
                                  HTTP_ACCEPT_LANGUAGE=language), 422)
        assert too_much["errors"] == [{"field": "quantities.1", "message": message}]


def test_every_endpoint_declares_its_permission(db):
    """SECURITY (missing function-level checks): each purchasing endpoint checks a known
    purchasing permission first."""
    operations = list(_operations(purchasing_router.router))
    assert len(operations) == 15
    assert [(m, p) for m, p, op in operations if not declares_permission(op, {"purchasing"})] == []
