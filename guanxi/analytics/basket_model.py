"""Frequent item sets and association rules over baskets (ANA-5), exact, on numpy.

The input is two integer arrays of equal length: the basket (order) and the item (product)
of each order line. Item sets are counted over baskets (an item twice in a basket counts
once). The search is the vertical (Eclat) form of FP-growth's depth-first enumeration:

1. single items counted with ``bincount``; items below the minimum count are dropped;
2. every pair counted at once as the sparse product XᵀX of the basket × item matrix;
3. longer sets grown depth-first from frequent pairs: a set's baskets are a bitset (one bit
   per basket), the candidates that extend it are the later items frequent in a pair with
   each of its members, and all candidates are counted in one vectorized AND + popcount.

It is exact (every set reaching ``min_count`` is found with its true count), and at a
million baskets it takes about a second where mlxtend's pandas-based fpgrowth needs a
one-hot frame of baskets × products (docs/analytics.md has the measurements).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Rule:
    antecedent: tuple
    consequent: int
    count: int  # baskets holding antecedent and consequent
    support: float
    confidence: float
    lift: float


def _bitsets(baskets, items, wanted, n_baskets):
    """One row of uint64 words per wanted item: bit b set when basket b holds the item."""
    words = (n_baskets + 63) // 64
    position = np.full(int(items.max()) + 1 if len(items) else 1, -1, dtype=np.int64)
    position[wanted] = np.arange(len(wanted))
    row = position[items]
    keep = row >= 0
    row, basket = row[keep], baskets[keep]
    flat = row * words + (basket >> 6)
    bits = np.left_shift(np.uint64(1), (basket & 63).astype(np.uint64))
    order = np.argsort(flat, kind="stable")
    flat, bits = flat[order], bits[order]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]]) if len(flat) else np.array([], dtype=np.int64)
    table = np.zeros(len(wanted) * words, dtype=np.uint64)
    if len(flat):
        table[flat[starts]] = np.bitwise_or.reduceat(bits, starts)
    return table.reshape(len(wanted), words)


def frequent_itemsets(baskets, items, min_count, max_size=3):
    """{tuple of sorted items: number of baskets holding them all} for every set of 1…max_size
    items held by at least ``min_count`` baskets."""
    baskets = np.asarray(baskets, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    if not len(baskets):
        return {}
    width = int(items.max()) + 1
    pairs = np.sort(baskets * width + items)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]  # one line per (basket, item)
    baskets, items = pairs // width, pairs % width
    baskets = np.cumsum(np.r_[0, baskets[1:] != baskets[:-1]])  # baskets numbered 0…N−1
    n_baskets = int(baskets[-1]) + 1
    counts = np.bincount(items)
    frequent = np.flatnonzero(counts >= min_count)
    result = {(int(i),): int(counts[i]) for i in frequent}
    if max_size < 2 or len(frequent) < 2:
        return result
    column = np.full(len(counts), -1, dtype=np.int64)
    column[frequent] = np.arange(len(frequent))
    keep = column[items] >= 0
    matrix = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int32), (baskets[keep], column[items[keep]])),
                               shape=(n_baskets, len(frequent)))
    co = (matrix.T @ matrix).toarray()
    np.fill_diagonal(co, 0)
    paired = np.triu(co >= min_count, 1)
    for i, j in zip(*np.nonzero(paired), strict=True):
        result[(int(frequent[i]), int(frequent[j]))] = int(co[i, j])
    if max_size < 3 or not paired.any():
        return result
    linked = paired | paired.T
    involved = np.flatnonzero(linked.any(axis=1))
    table = np.zeros((len(frequent), (n_baskets + 63) // 64), dtype=np.uint64)
    table[involved] = _bitsets(baskets, items, frequent[involved], n_baskets)

    def grow(members, bits, candidates):
        if not len(candidates):
            return
        counted = np.bitwise_count(table[candidates] & bits).sum(axis=1)
        for candidate, count in zip(candidates, counted, strict=True):
            if count < min_count:
                continue
            grown = members + (int(candidate),)
            result[tuple(int(frequent[k]) for k in grown)] = int(count)
            if len(grown) < max_size:
                later = candidates[candidates > candidate]
                grow(grown, bits & table[candidate], later[linked[candidate, later]])

    for i, j in zip(*np.nonzero(paired), strict=True):
        later = np.flatnonzero(linked[i] & linked[j])
        grow((int(i), int(j)), table[i] & table[j], later[later > j])
    return result


def association_rules(itemsets, n_baskets, min_confidence, min_lift=1.0):
    """Rules A → c (one consequent) from every frequent set of two or more items:
    support = n(A∪c)/N, confidence = n(A∪c)/n(A), lift = confidence / (n(c)/N)."""
    rules = []
    for itemset, count in itemsets.items():
        if len(itemset) < 2:
            continue
        for consequent in itemset:
            antecedent = tuple(i for i in itemset if i != consequent)
            confidence = count / itemsets[antecedent]
            lift = confidence * n_baskets / itemsets[(consequent,)]
            if confidence >= min_confidence and lift >= min_lift:
                rules.append(Rule(antecedent, consequent, count, count / n_baskets, confidence, lift))
    rules.sort(key=lambda rule: (-rule.lift, -rule.confidence, rule.antecedent, rule.consequent))
    return rules
