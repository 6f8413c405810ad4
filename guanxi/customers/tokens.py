"""Index tokens for the duplicate check and customer search (CUS-5).

A customer's normalized name gives three kinds of token, each namespaced by a letter:

- ``n`` + every 2-character window of the name ("广州华达" → n广州 n州华 n华达): any
  keyword of 2+ characters is found by AND-ing its own windows, then confirmed with a
  substring test. Two-character Chinese keywords, which trigram indexes cannot serve,
  are one token, answered straight from the index.
- ``i`` + every 3-letter window of pinyin initials, every reading of every character
  (gzhd → igzh izhd): initials queries of 3+ letters.
- ``p`` + each pair of adjacent syllables, every reading (pguangzhou pzhouhua phuada):
  full-pinyin queries of 2+ syllables.

The same tokens are stored on PostgreSQL (a GIN index over the token array) and on
SQLite (an FTS5 table kept in step by triggers); see ``search_index.py``.
"""

import itertools
from dataclasses import dataclass, field

from .normalize import normalize_keyword
from .pinyin import is_han, readings, segmentations

MAX_COMBINATIONS = 9


def _initials(char):
    return tuple(dict.fromkeys(r[0] for r in readings(char))) if is_han(char) else (char,)


def name_tokens(name_norm):
    """Return the sorted, distinct tokens for a normalized name."""
    tokens = set()
    text = name_norm
    for i in range(len(text) - 1):
        tokens.add("n" + text[i : i + 2])
    initials = [_initials(c) for c in text]
    for i in range(len(text) - 2):
        for combo in itertools.islice(itertools.product(*initials[i : i + 3]), MAX_COMBINATIONS):
            tokens.add("i" + "".join(combo))
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if is_han(a) and is_han(b):
            for ra, rb in itertools.islice(itertools.product(readings(a), readings(b)), MAX_COMBINATIONS):
                tokens.add("p" + ra + rb)
    return sorted(tokens)


@dataclass
class Strategy:
    """One way a keyword may match: the tokens that must all be present, and how to
    confirm a candidate (kind: "name", "initials" or "pinyin")."""

    kind: str
    tokens: list
    target: object = None  # the normalized keyword, or the syllables


@dataclass
class Plan:
    keyword: str
    strategies: list = field(default_factory=list)


def plan_for(keyword):
    """Return the ways ``keyword`` can match (empty when it is too short to search)."""
    text = normalize_keyword(keyword)
    plan = Plan(text)
    if len(text) < 2:
        return plan
    plan.strategies.append(Strategy("name", sorted({"n" + text[i : i + 2] for i in range(len(text) - 1)}), text))
    if text.isascii() and text.isalpha():
        if 3 <= len(text) <= 20:
            plan.strategies.append(
                Strategy("initials", sorted({"i" + text[i : i + 3] for i in range(len(text) - 2)}), text)
            )
        for parts in segmentations(text):
            if len(parts) >= 2:
                tokens = sorted({"p" + a + b for a, b in zip(parts, parts[1:], strict=False)})
                plan.strategies.append(Strategy("pinyin", tokens, tuple(parts)))
    return plan


def confirms(strategy, name_norm):
    """Return whether a candidate's normalized name really matches the strategy."""
    if strategy.kind == "name":
        return strategy.target in name_norm
    if strategy.kind == "initials":
        sets = [_initials(c) for c in name_norm]
        target = strategy.target
        return any(all(target[k] in sets[j + k] for k in range(len(target)))
                   for j in range(len(sets) - len(target) + 1))
    parts = strategy.target
    options = [readings(c) if is_han(c) else () for c in name_norm]
    return any(all(parts[k] in options[j + k] for k in range(len(parts)))
               for j in range(len(options) - len(parts) + 1))
