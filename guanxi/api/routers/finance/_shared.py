"""What the finance endpoints share."""


from decimal import Decimal
from typing import Annotated

from ninja import Field
from pydantic import AfterValidator

from guanxi.core.errors import ValidationFailed
from guanxi.core.money import clean_amount


# --- what the finance and purchasing routers share ----------------------------------------
def _ledger_amount(value):
    """The ledger's one rule for amounts (> 0, two decimals, finite, not absurd), applied
    to the body so a bad amount is refused before anything is looked up or written."""
    try:
        return clean_amount(value)
    except ValidationFailed as exc:
        raise ValueError(str(exc.message)) from None


Amount = Annotated[Decimal, Field(allow_inf_nan=True, examples=["1234.50"],
                                  description="decimal string, greater than 0, at most two decimals"),
                   AfterValidator(_ledger_amount)]
CURRENCY = Field("CNY", max_length=3, description="ISO 4217; only CNY is accepted")
IDEMPOTENT = {"parameters": [{
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 200},
    "description": "The same key with the same body returns the first result and never applies twice; "
                   "the same key with another body answers 422."}]}


