"""The staff's day for the decision tier (WRK-5): per person, department and branch,
how much of the day's plan is done, interactions and visits logged, new customers won.

Figures are those of the sales performance report for one day (interactions by their
author, customers by their owner) plus the plans; people are the active employees in
the viewer's scope, so a person with nothing to show still has a row.
"""

import datetime
from dataclasses import dataclass

from guanxi.core.periods import Period
from guanxi.workplace.plans import completion_by_owner
from guanxi.workplace.selectors import people_in_scope, plan_items_visible_to

from .performance import PerformanceReport
from .runner import ReportRunner, ratio


@dataclass
class DayRow:
    key: object
    label: str
    detail: str = ""
    people: int = 0
    planned: int = 0
    done: int = 0
    interactions: int = 0
    visits: int = 0
    new_customers: int = 0

    @property
    def completion(self):
        return ratio(self.done, self.planned)

    def add(self, other):
        for name in ("people", "planned", "done", "interactions", "visits", "new_customers"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StaffDay:
    day: datetime.date
    people: list
    departments: list
    branches: list
    total: DayRow


class StaffDayReport(ReportRunner):
    """``StaffDayReport(user, day=date).run()``"""

    def calculate(self):
        day = self.params["day"]
        people = people_in_scope(self.user)
        ids = [p.pk for p in people]
        plans = completion_by_owner(plan_items_visible_to(self.user).filter(day=day, owner__in=ids))
        activity = {row.key: row for row in PerformanceReport(
            self.user, period=Period(day, day + datetime.timedelta(days=1)), group="person").run()}
        rows, departments, branches = [], {}, {}
        total = DayRow(key=None, label="")
        for person in people:
            done, planned = plans.get(person.pk, (0, 0))
            found = activity.get(person.pk)
            row = DayRow(key=person.pk, label=person.display_name or person.username,
                         detail=person.department.name if person.department else "", people=1,
                         planned=planned, done=done, interactions=found.interactions if found else 0,
                         visits=found.visits if found else 0, new_customers=found.new_customers if found else 0)
            rows.append(row)
            department_key = person.department_id
            departments.setdefault(department_key, DayRow(
                key=department_key, label=person.department.name if person.department else "—",
                detail=person.branch.name)).add(row)
            branches.setdefault(person.branch_id, DayRow(key=person.branch_id, label=person.branch.name)).add(row)
            total.add(row)
        return StaffDay(day=day, people=rows, departments=list(departments.values()),
                        branches=list(branches.values()), total=total)
