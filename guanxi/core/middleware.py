"""Malformed input answered in one place, as 400 (or the error's own status), never 500."""

from django.utils.translation import gettext as _

from .errors import DomainError
from .problems import error_response


def _has_nul(querydict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in querydict.lists())


class BadInputMiddleware:
    """Refuse a NUL byte anywhere in the query string (PostgreSQL cannot store or compare
    it, so a search for one would fail deep in a query), and turn a service error that a
    view let through (a tampered page cursor, a template that cannot be printed) into a
    page or problem+json with its status instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET):
            return error_response(request, 400, _("The request is not valid."),
                                  _("The address contains a NUL character; remove it and try again."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return error_response(request, exception.status, exception.message)
        return None
