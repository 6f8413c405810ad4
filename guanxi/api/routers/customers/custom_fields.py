"""Custom fields."""



from ninja import Query, Router, Schema

from guanxi.core import custom_fields

from ...common import (
    require_perm,
)

router = Router()


# --- custom fields -----------------------------------------------------------------
class CustomFieldOut(Schema):
    entity: str
    key: str
    label_zh: str
    label_en: str
    field_type: str
    options: list
    required: bool


@router.get("/custom-fields", response=list[CustomFieldOut])
def custom_field_list(request, entity: str = Query("customers.customer", max_length=40)):
    """The custom fields of customers or contacts: their values travel under ``custom``."""
    require_perm(request, "customers.view")
    return custom_fields.definitions(entity)



