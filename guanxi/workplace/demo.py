"""Demo notes: a few per person, so every scope shows a different set."""

import random

from django.utils import timezone

from guanxi.org.models import User

from .models import Note
from .services import note_create

TOPICS = [
    ("拜访记录：{city}客户年度采购计划", "visit"),
    ("周例会纪要：{city}市场竞争情况", "meeting"),
    ("想法：老客户回访时推荐新品", "idea"),
    ("客户反馈：交货期希望缩短到两周", "general"),
    ("展会准备：{city}国际贸易博览会", "meeting"),
]


def build(stdout=None, per_user=3):
    if Note.all_objects.exists():
        return
    rng = random.Random(20261123)
    users = User.objects.filter(is_active=True, branch__isnull=False).select_related("branch")
    count = 0
    for user in users:
        if not user.has_module_perm("workplace.create"):
            continue
        for _ in range(per_user):
            title, category = rng.choice(TOPICS)
            note = note_create(actor=user, title=title.format(city=user.branch.city), category=category,
                               body="要点：\n1. 与客户确认需求\n2. 下周跟进报价")
            Note.objects.filter(pk=note.pk).update(
                created_at=timezone.now() - timezone.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
            )
            count += 1
    if stdout is not None:
        stdout.write(f"Demo notes: {count}.")
