"""SYS-6, API.md: operationIds are stable names, one per endpoint, independent of how the
routers package is laid out in files."""

from collections import Counter

from guanxi.api.main import api


def test_operation_ids_are_unique_function_names():
    schema = api.get_openapi_schema()
    ids = [operation["operationId"] for path in schema["paths"].values() for operation in path.values()]
    assert len(ids) > 150
    assert [name for name, count in Counter(ids).items() if count > 1] == []
    assert {"customer_list", "branch_list", "order_create", "receivable_list", "ticket_list"} <= set(ids)
    assert not [i for i in ids if i.startswith("guanxi_")]
