"""Pydantic's errors, turned into translated messages with the field they concern."""

from django.utils.translation import gettext as _

_WRAPPERS = {"body", "query", "path", "header", "payload", "data"}


def _messages():
    return {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field: it is not part of this resource or cannot be set."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "decimal_parsing": _("Enter a number."),
        "decimal_type": _("Enter a number."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a time in ISO 8601 with an offset."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "enum": _("Choose one of: %(expected)s."),
        "literal_error": _("Choose one of: %(expected)s."),
        "string_too_long": _("At most %(max_length)s characters."),
        "string_too_short": _("At least %(min_length)s characters."),
        "too_long": _("At most %(max_length)s items."),
        "greater_than_equal": _("Must be at least %(ge)s."),
        "less_than_equal": _("Must be at most %(le)s."),
        "value_error": "%(error)s",
        "json_invalid": _("The request body is not valid JSON."),
    }


def _field(loc):
    parts = [str(p) for p in loc if str(p) not in _WRAPPERS]
    return ".".join(parts) or None


def translate_errors(errors):
    messages = _messages()
    result = []
    for error in errors:
        template = messages.get(error.get("type"))
        ctx = dict(error.get("ctx") or {})
        try:
            message = template % ctx if template else error.get("msg", _("Not valid."))
        except (KeyError, TypeError, ValueError):
            message = error.get("msg", _("Not valid."))
        if error.get("type") == "value_error":
            message = str(ctx.get("error", error.get("msg")))
        result.append({"field": _field(error.get("loc", ())), "message": message})
    return result
