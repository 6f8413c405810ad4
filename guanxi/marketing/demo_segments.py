"""Demo segments (MKT-3): a few value- and need-based segments of the demo company, one
frozen into a static list, built through the services as their owners."""

from guanxi.org.models import User

from . import segment_templates
from .models import Segment
from .services.segments import segment_create, segment_freeze

MINE = [
    ("linhui", "high_value_dormant"),
    ("linhui", "new_this_quarter"),
    ("linhui", "declining"),
    ("linhui", "big_spenders"),
    ("majun", "not_contacted"),
    ("majun", "overdue_payers"),
]


def build(stdout=None):
    if Segment.all_objects.exists():
        return
    people = User.objects.in_bulk([name for name, _code in MINE], field_name="username")
    made = []
    for username, code in MINE:
        owner, template = people.get(username), segment_templates.template(code)
        if owner is None or template is None or not owner.has_module_perm("marketing.create"):
            continue
        made.append(segment_create(actor=owner, name=str(template.name), description=str(template.description),
                                   kind="dynamic", rules=template.rules()))
    if made:
        frozen = segment_create(actor=made[0].owner, name="春季回访名单", description="从“高价值、90天未下单”冻结的名单",
                                kind="dynamic", rules=made[0].rules)
        segment_freeze(actor=frozen.owner, segment=frozen)
        made.append(frozen)
    if stdout is not None:
        stdout.write(f"Demo segments: {len(made)}.")
