"""SYS-4: a read whose database connection is lost mid-request (a terminated backend, a
failover) is answered from a new connection instead of a server error; writes are never
run twice (a client retries them with its Idempotency-Key)."""

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from guanxi.core.middleware import LostConnectionRetryMiddleware
from guanxi.workplace.models import Note

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")


def call(method, view):
    """Run ``view`` as Django's handler would, handing what it raises to the middleware."""
    request = getattr(RequestFactory(), method.lower())("/anything/")
    request.resolver_match = ResolverMatch(view, (), {})
    try:
        view(request)
    except Exception as exc:  # noqa: BLE001 - handed to process_exception, as Django does
        return LostConnectionRetryMiddleware(lambda r: HttpResponse()).process_exception(request, exc)
    raise AssertionError("the view did not fail")


def terminating_view(calls):
    def view(request):
        calls.append(request.method)
        with connection.cursor() as cursor:
            if len(calls) == 1:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            cursor.execute("SELECT 42")
            return HttpResponse(str(cursor.fetchone()[0]))
    return view


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_survives_its_backend_being_terminated():
    """SYS-4: GET on a connection whose backend was terminated runs again on a new one."""
    calls = []
    response = call("GET", terminating_view(calls))
    assert response is not None and response.content == b"42" and calls == ["GET", "GET"]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_is_not_run_twice_and_asks_to_be_sent_again():
    """SYS-4: a POST that lost its connection is not repeated by the server; it answers 503
    with Retry-After (nothing was written: its transaction died with the connection), so
    the client sends it again with its Idempotency-Key."""
    calls = []
    response = call("POST", terminating_view(calls))
    assert calls == ["POST"] and response.status_code == 503 and response["Retry-After"] == "1"
    with connection.cursor() as cursor:  # the connection works again
        cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_other_database_errors_are_not_retried():
    """SYS-4: an error on a connection that still works (a lock timeout, bad SQL) is not retried."""
    calls = []

    def view(request):
        calls.append(1)
        raise OperationalError("database is locked")

    assert call("GET", view) is None and calls == [1]


class TerminateOnce:
    """A query wrapper that terminates the connection's own backend just before the first
    query on ``table``, as an administrator or a failover would in the middle of a request."""

    def __init__(self, table):
        self.table, self.done = table, False

    def __call__(self, execute, sql, params, many, context):
        if not self.done and self.table in sql:
            self.done = True
            execute("SELECT pg_terminate_backend(pg_backend_pid())", None, False, context)
        return execute(sql, params, many, context)


@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/customers/", "/api/v1/customers"])
def test_a_page_and_an_api_read_survive_a_terminated_backend(client_for, api_for, demo_org, path):
    """SYS-4: through the whole stack (the API's catch-all included), a GET whose backend is
    terminated in the middle answers 200 from a new connection."""
    user = demo_org["liuyang"]
    client, headers = api_for(user) if path.startswith("/api/") else (client_for(user), {})
    terminate = TerminateOnce('"customers_customer"')
    with connection.execute_wrapper(terminate):
        response = client.get(path, headers=headers)
    assert terminate.done and response.status_code == 200


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_api_write_that_lost_its_connection_answers_503(api_for, demo_org):
    """SYS-4: an API write whose backend is terminated answers problem+json 503 with
    Retry-After, and the same request with the same Idempotency-Key then succeeds once."""
    client, headers = api_for(demo_org["liuyang"])
    headers = {**headers, "Idempotency-Key": "lost-connection-1"}
    terminate = TerminateOnce('"workplace_note"')
    with connection.execute_wrapper(terminate):
        first = client.post("/api/v1/notes", {"title": "断线重试"}, content_type="application/json", headers=headers)
    assert terminate.done and first.status_code == 503 and first["Retry-After"] == "1"
    assert first["Content-Type"].startswith("application/problem+json")
    again = client.post("/api/v1/notes", {"title": "断线重试"}, content_type="application/json", headers=headers)
    assert again.status_code == 201 and Note.objects.filter(title="断线重试").count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moment", ['FROM "accounts_apitoken"', 'INSERT INTO "core_idempotencyrecord"',
                                    'UPDATE "core_idempotencyrecord"'])
def test_an_api_write_that_lost_its_connection_in_the_idempotency_step_answers_503(api_for, demo_org, moment):
    """SYS-4: the connection lost while the token is checked, the Idempotency-Key claimed or
    its response stored (outside the view) answers 503, and the retry with the key makes one note."""
    client, headers = api_for(demo_org["liuyang"])
    headers = {**headers, "Idempotency-Key": f"lost-{moment[:6]}"}
    terminate = TerminateOnce(moment)
    with connection.execute_wrapper(terminate):
        first = client.post("/api/v1/notes", {"title": "存储时断线"}, content_type="application/json",
                            headers=headers)
    assert terminate.done and first.status_code == 503 and first["Retry-After"] == "1"
    again = client.post("/api/v1/notes", {"title": "存储时断线"}, content_type="application/json", headers=headers)
    assert again.status_code == 201 and Note.objects.filter(title="存储时断线").count() == 1
