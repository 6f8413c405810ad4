"""The ageing report (FIN-4)."""


import datetime
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from guanxi.core.errors import ValidationFailed
from guanxi.finance.ageing import AgeingReport

from ...common import (
    Money,
    require_perm,
)

router = Router()


# --- the ageing report (FIN-4) ----------------------------------------------------------------
class BucketsOut(Schema):
    current: Money = Field(description="not yet due")
    d30: Money = Field(description="1–30 days overdue")
    d60: Money = Field(description="31–60 days overdue")
    d90: Money = Field(description="61–90 days overdue")
    d180: Money = Field(description="91–180 days overdue")
    older: Money = Field(description="over 180 days overdue")


class AgeingRowOut(Schema):
    key: int | None = Field(description="the customer's, salesperson's or branch's id; null on the totals")
    label: str
    buckets: BucketsOut
    total: Money
    overdue: Money
    oldest_days: int = Field(description="days since the oldest due date with money outstanding")
    credit_limit: Money | None
    over_limit: bool


class AgeingOut(Schema):
    as_of: datetime.date
    group: str
    currency: str = "CNY"
    rows: list[AgeingRowOut] = Field(description="most overdue first")
    totals: AgeingRowOut


class AgeingParams(Schema):
    as_of: datetime.date | None = Field(None, description="default: today; not in the future")
    group: Literal["customer", "owner", "branch"] = "customer"


@router.get("/reports/ageing", response=AgeingOut)
def report_ageing(request, params: Query[AgeingParams]):
    """FIN-4: outstanding receivables as of a day, in buckets of days overdue, per customer,
    salesperson or branch, over what the caller may see."""
    require_perm(request, "finance.view")
    as_of = params.as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise ValidationFailed(_("The date is in the future."), field="as_of")
    rows, totals = AgeingReport(request.user, as_of=as_of, group=params.group).run()
    return {"as_of": as_of, "group": params.group, "rows": rows, "totals": totals}
