"""Errors raised by services, each with a stable code.

Views turn them into form errors and messages; the API turns them into problem+json.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "error"
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, field=None, errors=None, code=None):
        self.message = message or self.default_message
        self.field = field
        self.errors = errors or ([{"field": field, "message": self.message}] if field else [])
        if code:
            self.code = code
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status = 422
    code = "validation"
    default_message = _("Some fields are not valid.")

    @classmethod
    def from_django(cls, exc):
        """Return a ValidationFailed from a django ValidationError."""
        errors = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.message_dict.items():
                for message in field_errors:
                    errors.append({"field": None if field == "__all__" else field, "message": message})
        else:
            errors = [{"field": None, "message": m} for m in exc.messages]
        return cls(errors[0]["message"] if len(errors) == 1 else None, errors=errors)


class BadRequest(DomainError):
    """Malformed input (a NUL byte, a tampered cursor, an unreadable file): 400."""

    status = 400
    code = "bad_request"
    default_message = _("The request is not valid.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state of the record.")


class PreconditionFailed(DomainError):
    status = 412
    code = "stale"
    default_message = _("The record was changed by someone else. Reload it and try again.")
