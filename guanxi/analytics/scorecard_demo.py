"""Demo scorecards (ANA-7): a branch evaluation and a department evaluation whose targets
are last month's average per branch or department, so the ranking tells who is above it."""

from decimal import Decimal

from django.utils import timezone

from guanxi.core.periods import preset
from guanxi.org.models import User

from . import measures
from .scorecard_models import Scorecard
from .scorecards import scorecard_save

CARDS = [
    ("分公司综合考核", "branch", [("sales", 40), ("received", 20), ("retention_rate", 20), ("satisfaction_rate", 20)]),
    ("部门销售考核", "department", [("sales", 60), ("orders", 40)]),
]


def _target(boss, code, level, period):
    values = [v for v in measures.get(code).value(boss, period, level).values() if v]
    average = sum(Decimal(v) for v in values) / len(values) if values else Decimal(1)
    return max(average.quantize(Decimal("1")), Decimal(1))


def build(stdout=None, seed=None):
    if Scorecard.objects.exists():
        return
    boss = User.objects.filter(is_superuser=False, username="chenzhiqiang").first() or User.objects.first()
    if boss is None:
        return
    period = preset("last_month", timezone.localdate())
    for name, level, items in CARDS:
        scorecard_save(actor=boss, name=name, level=level, indicators=[
            (code, Decimal(weight), _target(boss, code, level, period)) for code, weight in items])
    if stdout is not None:
        stdout.write(f"Demo scorecards: {len(CARDS)}\n")
