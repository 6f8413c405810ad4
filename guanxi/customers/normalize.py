"""Normalization of names, phone numbers and e-mail addresses, for storage and matching.

Names: full-width → half-width (NFKC), lower case, punctuation and spaces removed, legal
suffixes (有限公司, 有限责任公司, 股份, Co., Ltd. …) removed. Phones: see guanxi.core.phones
(libphonenumber, stored as E.164).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

# Phones are validated and normalised (E.164) in core, for every app; re-exported here.
from guanxi.core.phones import format_phone, normalize_phone, phone_in_query, phone_or_none  # noqa: F401

from . import regions

CN_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "有限合伙", "股份", "公司")
EN_SUFFIXES = r"(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|group)"
_EN_SUFFIX_RE = re.compile(rf"\b{EN_SUFFIXES}\b\.?", re.IGNORECASE)
_KEEP_RE = re.compile(r"[^\w]|_", re.UNICODE)
# Half-typed legal suffixes at the end of a keyword ("华达有限", "华达股份有"). Only the
# tails of "…有限公司" forms: "集团" or "公司" alone are words a keyword may mean.
_PARTIAL_SUFFIXES = sorted(
    ({tail[:i] for tail in ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司") for i in range(2, len(tail) + 1)}
     - {"股份", "集团"}),
    key=len, reverse=True,
)

MAX_NAME = 200


def _base(text):
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _KEEP_RE.sub("", _EN_SUFFIX_RE.sub(" ", text))


def _strip_suffixes(text):
    for suffix in CN_SUFFIXES:
        text = text.replace(suffix, "")
    return text


def normalize_name(name):
    """Return the matching form of a customer name ("" when nothing is left)."""
    return _strip_suffixes(_base(name))


def normalize_keyword(keyword):
    """Normalize a search keyword like a name, also dropping a half-typed legal suffix
    ("华达有限", "华达股份有")."""
    text = _base(keyword)
    for partial in _PARTIAL_SUFFIXES:
        if text.endswith(partial) and len(text) >= len(partial) + 2:
            text = text[: -len(partial)]
            break
    return _strip_suffixes(text)


def email_or_none(raw):
    try:
        return normalize_email(raw) or None
    except ValidationError:
        return None


_email_validator = EmailValidator()


def normalize_email(raw):
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if not text:
        return ""
    try:
        _email_validator(text)
    except ValidationError:
        raise ValidationError(_("“%(value)s” is not a valid e-mail address."), code="email",
                              params={"value": raw}) from None
    return text


TRADE_WORDS = frozenset({
    "科技", "技术", "信息技术", "信息", "网络", "软件", "电子", "贸易", "商贸", "实业", "发展", "工程", "建筑工程",
    "设备", "材料", "包装材料", "国际", "控股", "集团", "机械", "精密制造", "制造", "化工", "新能源", "能源", "物流",
    "供应链", "建材", "食品", "饮料", "医药", "医疗器械", "纺织", "服饰", "家具", "汽车配件", "教育咨询", "咨询",
    "置业", "投资", "环保科技", "环保", "五金", "商务", "服务", "管理", "文化传媒", "传媒", "广告", "进出口",
})
_TRADE_MAX = max(len(w) for w in TRADE_WORDS)


def name_core(name_norm):
    """The distinctive part of a normalized name: region prefixes (province, city, district),
    a region after the name and trade words removed ("广州华达电子科技" → "华达",
    "恒达贸易广州" → "恒达"), for grouping likely duplicates. Set lookups of each
    prefix and suffix length: a few microseconds a name, also in imports of millions."""

    prefixes, longest = regions.name_prefix_set()
    text = name_norm
    for _round in range(2):
        for size in range(min(longest, len(text) - 2), 1, -1):
            if text[:size] in prefixes:
                text = text[size:]
                break
    # A region written after the name ("恒达贸易(广州)有限公司" → "恒达贸易广州").
    for size in range(min(longest, len(text) - 2), 1, -1):
        if text[-size:] in prefixes:
            text = text[:-size]
            break
    stripped = True
    while stripped:
        stripped = False
        for size in range(min(_TRADE_MAX, len(text) - 2), 1, -1):
            if text[-size:] in TRADE_WORDS:
                text = text[:-size]
                stripped = True
                break
    return text
