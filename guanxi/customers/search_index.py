"""The customer name index on both databases (CUS-5).

Tokens (see ``tokens.py``) live in ``Customer.search_tokens`` as one space-separated
string. PostgreSQL indexes ``string_to_array(search_tokens, ' ')`` with GIN; SQLite keeps
an FTS5 table (``detail=none``: token membership only) in step with triggers. A query is
"every token of one strategy present", answered from the index, then confirmed on the
few candidates. Nothing scans the customer table. The index itself is created by
migrations/0002_search_index.py.
"""

from django.db import connection, models
from django.db.models import Func, Lookup, Value

from .models import Customer

FTS_TABLE = "customers_customer_fts"
GIN_INDEX = "customer_search_tokens_gin"

class TokenArray(Func):
    """``string_to_array(search_tokens, ' ')``: the expression the GIN index is built on."""

    function = "string_to_array"

    def __init__(self, expression, **extra):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, Value(" "), output_field=ArrayField(models.TextField()), **extra)


class FtsMatch(Lookup):
    """``<fts table> MATCH <query>`` (FTS5 with detail=none allows no column filter)."""

    lookup_name = "fts_match"

    def as_sql(self, compiler, connection):
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{FTS_TABLE} MATCH {rhs}", rhs_params


class FtsRow(models.Model):
    """The FTS5 table, read-only, so the ORM can select its rowids."""

    rowid = models.BigIntegerField(primary_key=True)
    search_tokens = models.TextField()

    class Meta:
        managed = False
        db_table = FTS_TABLE

    def __str__(self):
        return str(self.rowid)


FtsRow._meta.get_field("search_tokens").register_lookup(FtsMatch)


def _fts_query(token_groups):
    def phrase(token):
        return '"' + token.replace('"', '""') + '"'

    groups = ["(" + " AND ".join(phrase(t) for t in tokens) + ")" for tokens in token_groups]
    return " OR ".join(groups)


def matching(queryset, token_groups):
    """Narrow a Customer queryset to rows that hold every token of at least one group."""
    token_groups = [sorted(set(tokens)) for tokens in token_groups if tokens]
    if not token_groups:
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.db.models import Q

        condition = Q()
        for tokens in token_groups:
            condition |= Q(_tokens__contains=tokens)
        return queryset.alias(_tokens=TokenArray("search_tokens")).filter(condition)
    if connection.vendor == "sqlite":
        rows = FtsRow.objects.filter(search_tokens__fts_match=_fts_query(token_groups)).values("rowid")
        return queryset.filter(pk__in=rows)
    # Other databases: a correct (slower) fallback on the stored tokens.
    from django.db.models import Q

    condition = Q()
    for tokens in token_groups:
        group = Q()
        for token in tokens:
            group &= Q(search_tokens__contains=f" {token} ") | Q(search_tokens__startswith=f"{token} ") | Q(
                search_tokens__endswith=f" {token}") | Q(search_tokens=token)
        condition |= group
    return queryset.filter(condition)


def token_frequency(token, cap=100_000):
    """Return how many customers hold ``token`` (capped): planning help for searches."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT doc FROM {FTS_TABLE}_vocab WHERE term = %s", [token])  # noqa: S608 - constant
            row = cursor.fetchone()
        return min(row[0], cap) if row else 0

    return matching(Customer.all_objects.all(), [[token]]).order_by()[:cap].count()


_TRIGGERS = {
    "customers_fts_ai": "CREATE TRIGGER IF NOT EXISTS customers_fts_ai AFTER INSERT ON customers_customer BEGIN "
                        "INSERT INTO customers_customer_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    "customers_fts_ad": "CREATE TRIGGER IF NOT EXISTS customers_fts_ad AFTER DELETE ON customers_customer BEGIN "
                        "INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_tokens) "
                        "VALUES ('delete', old.id, old.search_tokens); END",
    "customers_fts_au": "CREATE TRIGGER IF NOT EXISTS customers_fts_au AFTER UPDATE OF search_tokens ON "
                        "customers_customer BEGIN INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_tokens) "
                        "VALUES ('delete', old.id, old.search_tokens); INSERT INTO customers_customer_fts(rowid, search_tokens) "
                        "VALUES (new.id, new.search_tokens); END",
}


def ensure_sqlite_triggers(using="default", **kwargs):
    """Put the FTS triggers back after a migration rebuilt the customer table.

    SQLite alters a table by copying it into a new one, which drops its triggers; this
    runs after every migrate, recreates missing triggers and rebuilds the index from the
    table when it had to (PostgreSQL's GIN index needs none of this).
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
                       [FTS_TABLE, *_TRIGGERS])
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present or set(_TRIGGERS) <= present:
            return
        for statement in _TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute("INSERT INTO customers_customer_fts(customers_customer_fts) VALUES ('rebuild')")
