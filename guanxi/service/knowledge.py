"""Chinese-aware search of the knowledge base (SRV-5).

Text is normalized (NFKC, lower case, whitespace folded) and split into terms: every
2-character window of a run of Chinese characters ("打印机卡纸" → 打印 印机 机卡 卡纸) and
every Latin word or number. A query's terms are looked up in the articles' normalized
text; articles are ranked by how many terms they contain, title matches counting more.
The same scoring suggests articles for a new ticket from its subject and description.
"""

import re
import unicodedata

from django.db.models import Q

from .models import Article

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9]{2,}")
MAX_TERMS = 24
STOP = {"的", "了", "是", "在", "我", "有", "和", "就", "不", "人", "都", "一", "也", "很", "到", "说", "要", "去",
        "你", "会", "着", "没有", "看", "好", "自己", "这"}


def normalize(text):
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def search_text(text):
    return normalize(text)


def terms(text):
    """The search terms of a text, most telling first (longer runs before shorter)."""
    text = normalize(text)
    found = []
    for run in HAN.findall(text):
        if len(run) == 1:
            if run not in STOP:
                found.append(run)
            continue
        found.extend(run[i:i + 2] for i in range(len(run) - 1))
    found.extend(WORD.findall(text))
    unique = list(dict.fromkeys(t for t in found if t not in STOP))
    return unique[:MAX_TERMS]


def _score(article, query_terms):
    title = normalize(article.title)
    text = article.search_text
    return sum((3 if term in title else 0) + (1 if term in text else 0) for term in query_terms)


def search(queryset, query, limit=20, minimum=None):
    """Articles of ``queryset`` matching ``query``, best first: [(article, score)]."""
    query_terms = terms(query)
    if not query_terms:
        return []
    condition = Q()
    for term in query_terms:
        condition |= Q(search_text__contains=term)
    # select_related(None): callers pass querysets that join author and category, which
    # .only() would otherwise refuse (FieldError: deferred and traversed).
    candidates = list(queryset.filter(condition).select_related(None)
                      .only("pk", "title", "search_text", "category_id")[:500])
    minimum = minimum if minimum is not None else max(1, len(query_terms) // 3)
    scored = [(article, _score(article, query_terms)) for article in candidates]
    scored = [(a, s) for a, s in scored if s >= minimum]
    scored.sort(key=lambda pair: (-pair[1], pair[0].title))
    return scored[:limit]


def suggest(ticket, limit=5):
    """Published articles that look like the answer to a ticket."""
    return search(Article.objects.filter(is_published=True), f"{ticket.subject} {ticket.description[:2000]}",
                  limit=limit, minimum=2)
