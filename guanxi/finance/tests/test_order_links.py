"""SAL-4 / FIN-1: an order's page links its receivables, invoices and shipping notes, and
each of those pages links back to the order."""

from decimal import Decimal

from guanxi.customers.services import customer_create
from guanxi.finance import invoices
from guanxi.finance.models import FinanceSettings, Receivable, ReceivableSource
from guanxi.sales import services as sales
from guanxi.testing.sales import confirmed_order


def test_the_order_and_its_documents_link_both_ways(demo_org, client_for):
    """SAL-4: order ⇄ receivable, order ⇄ invoice, order ⇄ shipping note."""
    seller, assistant = demo_org["liuyang"], demo_org["huangli"]
    FinanceSettings.objects.create(branch=seller.branch, receivable_source=ReceivableSource.SHIPMENT)
    customer = customer_create(actor=seller, name="广州单据互链客户有限公司")
    order = confirmed_order(seller, customer, ((4, "250.00"),))
    shipment = sales.shipment_create(actor=assistant, order=order,
                                     quantities={order.lines.get().pk: Decimal("1")})
    receivable = Receivable.objects.get(order=order)
    invoice = invoices.invoice_request(actor=seller, order=order, amount="250", kind="ordinary")
    client = client_for(demo_org["zhouhong"])  # finance sees the money and the sales documents of the branch
    order_page = client.get(order.get_absolute_url()).content.decode()
    for document in (receivable, invoice, shipment):
        assert document.get_absolute_url() in order_page, document
    for document in (receivable, invoice, shipment):
        page = client.get(document.get_absolute_url())
        assert page.status_code == 200
        assert f'href="{order.get_absolute_url()}"' in page.content.decode(), document
