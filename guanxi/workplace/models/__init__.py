"""Daily work: notes, appointments, work plans, directives, news and calendar feeds."""

from .directives import (
    Directive,
    DirectiveAttachment,
    DirectiveKind,
    DirectivePriority,
    DirectiveReceipt,
)
from .feeds import CalendarFeed
from .news import Competitor, IntelType, NewsItem, NewsKind, NewsTag, NewsVisibility
from .notes import Note, NoteCategory, Schedule
from .plans import OPEN_PLAN_STATUSES, PlanStatus, WorkPlanItem

__all__ = [
    "OPEN_PLAN_STATUSES", "CalendarFeed", "Competitor", "Directive", "DirectiveAttachment", "DirectiveKind",
    "DirectivePriority", "DirectiveReceipt", "IntelType", "NewsItem", "NewsKind", "NewsTag", "NewsVisibility",
    "Note", "NoteCategory", "PlanStatus", "Schedule", "WorkPlanItem",
]
