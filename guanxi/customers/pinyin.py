"""Pinyin readings for the duplicate check: every reading of every character.

Heteronyms (重 zhong/chong, 行 xing/hang) get all their readings, so a salesperson who
types either finds the customer: no false negatives for a "wrong" reading. Characters
are looked up in pypinyin's dictionary (a dict lookup, fast enough for imports of a
million names); phrase-level guessing is not needed because every reading is indexed.
"""

import functools

from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

MAX_READINGS = 3


@functools.cache
def readings(char):
    """Return the plain readings of a character, most common first (ASCII → itself)."""
    if char.isascii():
        return (char.lower(),)
    raw = pinyin_dict.get(ord(char))
    if not raw:
        return (char,)
    result = []
    for reading in raw.split(","):
        plain = to_normal(reading).replace("ü", "v")
        if plain and plain not in result:
            result.append(plain)
    return tuple(result[:MAX_READINGS])


def is_han(char):
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


# Interjection-only syllables (嗯 ng, 呣 m, 哼 hng …) never start a company name's
# syllables but would split ordinary queries in odd ways ("zhongqing" → zhong qi ng).
INTERJECTIONS = frozenset({"ng", "n", "m", "hm", "hng", "r", "ê"})


@functools.cache
def syllables():
    """Every plain syllable that occurs in the dictionary (for segmenting queries)."""
    found = set()
    for raw in pinyin_dict.values():
        for reading in raw.split(","):
            plain = to_normal(reading).replace("ü", "v")
            if plain.isascii() and plain.isalpha():
                found.add(plain)
    return frozenset(found - INTERJECTIONS)


def segmentations(text, limit=4):
    """Split a run of letters into pinyin syllables, every way it can be (at most ``limit``)."""
    text = text.lower()
    known = syllables()
    longest = max(len(s) for s in known)
    results = []

    def walk(start, path):
        if len(results) >= limit:
            return
        if start == len(text):
            results.append(list(path))
            return
        for end in range(min(len(text), start + longest), start, -1):
            piece = text[start:end]
            if piece in known:
                path.append(piece)
                walk(end, path)
                path.pop()

    walk(0, [])
    return results
