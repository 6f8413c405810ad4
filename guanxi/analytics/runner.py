"""Reports are runner classes: typed input → scoped queries → a result object.

A runner takes the acting user and its parameters, reads only through the scope
helper, and returns plain data that a view renders, an export writes or the API
serializes. Runners never write.
"""

from dataclasses import dataclass

from guanxi.org.scopes import scoped


@dataclass(frozen=True)
class Grouping:
    """How a report groups records: the ORM path of the key and of its label."""

    code: str
    key: str
    label: str


def groupings(owner="owner", branch="branch"):
    return {
        "person": Grouping("person", f"{owner}_id", f"{owner}__display_name"),
        "department": Grouping("department", f"{owner}__department_id", f"{owner}__department__name"),
        "branch": Grouping("branch", f"{branch}_id", f"{branch}__name"),
    }


class ReportRunner:
    """Base of every report: subclasses implement ``calculate``."""

    def __init__(self, user, **params):
        self.user = user
        self.params = params

    def scoped(self, queryset):
        return scoped(queryset, self.user)

    def run(self):
        return self.calculate()

    def calculate(self):  # pragma: no cover - abstract
        raise NotImplementedError


def ratio(part, whole):
    """part / whole as a percentage with one decimal, or None when whole is 0."""
    return round(100 * part / whole, 1) if whole else None
