"""What the sales endpoints share."""


from decimal import Decimal
from typing import Annotated

from ninja import Field

MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


