"""Phone numbers: one validator and normaliser for forms, API schemas, imports and search.

Numbers are checked with libphonenumber (the ``phonenumbers`` package) with China as the
default region: mainland mobiles, landlines with their area code (010-12345678,
0755 8888 8888), 400/800 numbers, and any number written with + or 00 and its country code
(+852, +853, +886, +1, +44 …). The normalised form, stored in the ``*_norm`` columns that
duplicate checks and the global search match on, is E.164 ("+8613800138000"), with an
extension after an "x" ("+862038886666x123").
"""

import functools
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REGION = "CN"
_JUNK = re.compile(r"[\s\-()（）.·/]")
_EXTENSION = re.compile(r"(?:转|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_SERVICE = {phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.SHARED_COST,
            phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.UAN}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# libphonenumber's own pattern of mainland mobiles: most numbers of an import are mobiles,
# checked with it directly (5 µs) instead of a full parse (≈ 125 µs).
_CN_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region(REGION).mobile.national_number_pattern)  # type: ignore[union-attr,type-var]  # CN metadata is always there
_PLAIN_MOBILE = re.compile(r"(?:\+?86|0086)?(1\d{10})")
# Likewise landlines written with their area code's 0 ("020-38886666", "0755 8888 8888").
_CN_FIXED = re.compile(phonenumbers.PhoneMetadata.metadata_for_region(REGION).fixed_line.national_number_pattern)  # type: ignore[union-attr,type-var]
_PLAIN_LANDLINE = re.compile(r"0([1-9]\d{8,10})")


def _invalid(raw):
    return ValidationError(_("Invalid phone number: %(value)s"), code="phone", params={"value": raw})


def _parse(raw):
    """Return (PhoneNumber, extension) or raise ValidationError."""
    text = unicodedata.normalize("NFKC", raw).strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    digits = _JUNK.sub("", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = "+" + digits  # a mobile typed with its country code but no +
    if not digits.lstrip("+").isdigit() or len(digits) < 7:
        raise _invalid(raw)
    try:
        number = phonenumbers.parse(digits, REGION)
    except phonenumbers.NumberParseException:
        raise _invalid(raw) from None
    if not phonenumbers.is_valid_number(number) or not _plausible(number):
        raise _invalid(raw)
    return number, extension


def _plausible(number):
    """What the numbering plan allows but no telephone has: a mainland landline whose
    local part starts with 0 (020-00000000), or a number of one repeated digit."""
    national = str(number.national_number)
    if len(set(national)) == 1:
        return False
    if number.country_code == 86 and phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        area = phonenumbers.length_of_geographical_area_code(number)
        local = national[area:]
        if area and (not local or local[0] == "0"):
            return False
    return True


def _kind(number):
    if number.country_code != 86:
        return "international"
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    if kind in _SERVICE:
        return "service"
    return "landline"


def normalize_phone(raw):
    """Return (E.164 with an optional "x" extension, kind) or raise ValidationError.

    kind is "mobile", "landline", "service" (400/800) or "international"; ("", "") when
    nothing is given.
    """
    return _normalized(raw or "")


@functools.lru_cache(maxsize=8192)  # an import checks each number twice (row, then batch)
def _normalized(raw):
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return "", ""
    plain = _PLAIN_MOBILE.fullmatch(_JUNK.sub("", text))
    if plain and _CN_MOBILE.fullmatch(plain.group(1)):
        return f"+86{plain.group(1)}", "mobile"
    plain = _PLAIN_LANDLINE.fullmatch(_JUNK.sub("", text))
    if plain and _CN_FIXED.fullmatch(plain.group(1)):
        national = plain.group(1)
        area = 2 if national[0] in "12" else 3  # 010, 02x; else 0xxx
        if national[area] != "0" and len(set(national)) > 1:
            return f"+86{national}", "landline"
    number, extension = _parse(raw)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return (f"{e164}x{extension}" if extension else e164), _kind(number)


def validate_phone(value):
    """A Django validator (forms, model fields): raise ValidationError for a bad number."""
    normalize_phone(value)


def phone_field(value):
    """A pydantic after-validator for API schemas: the number as typed, or ValueError."""
    if value:
        try:
            normalize_phone(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
    return value


def phone_or_none(raw):
    """Return the normalised form of a valid number, or None."""
    try:
        return normalize_phone(raw)[0] or None
    except ValidationError:
        return None


def phone_in_query(text):
    """The normalised phone a search text means, or None (with fewer than seven digits
    it is still being typed, or it is something else)."""
    digits = sum(ch.isdigit() for ch in text or "")
    return phone_or_none(text) if digits >= 7 else None


def format_phone(norm):
    """A readable form of a normalised number: 138 0013 8000, 020-38886666, 400-810-8888,
    +1 650-253-0000 (also for the bare digits stored before E.164)."""
    if not norm:
        return ""
    number, _sep, extension = norm.partition("x")
    if number.startswith("+86"):
        number = number[3:]
        number = number if _MOBILE.match(number) or number[:3] in ("400", "800") else "0" + number
    if number.startswith("+"):
        try:
            text = phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        except phonenumbers.NumberParseException:
            text = number
    elif _MOBILE.match(number):
        text = f"{number[:3]} {number[3:7]} {number[7:]}"
    elif number[:3] in ("400", "800") and len(number) == 10:
        text = f"{number[:3]}-{number[3:6]}-{number[6:]}"
    elif number.startswith("0") and len(number) >= 10:
        area = 3 if number[1] in "12" else 4
        text = f"{number[:area]}-{number[area:]}"
    else:
        text = number
    return f"{text} 转{extension}" if extension else text
