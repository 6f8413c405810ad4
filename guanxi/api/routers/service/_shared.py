"""What the service endpoints share."""



from ninja import Schema

from guanxi.org.selectors import employees

from ...common import (
    code_of,
)

TYPES, SEVERITIES, CATEGORIES = "service.ticket_type", "service.severity", "service.kb_category"


def _active_people():
    return employees().filter(is_active=True)


class _TypeAndSeverity(Schema):
    """Tickets and flows name their type and severity by pick-list code."""

    @staticmethod
    def resolve_type(obj):
        return code_of(obj.ticket_type)

    @staticmethod
    def resolve_severity(obj):
        return code_of(obj.severity)


