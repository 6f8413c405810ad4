"""The public REST API (SYS-6) per shared/API.md: one NinjaAPI, a router per domain."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from guanxi.core.errors import DomainError
from guanxi.core.middleware import lost_connection_response, may_retry
from guanxi.core.problems import problem_response

from .auth import BearerToken
from .common import AnonRateFromSetting, AuthRateFromSetting
from .routers import (
    analytics,
    auth,
    customers,
    finance,
    marketing,
    org,
    purchasing,
    sales,
    sales_plans,
    workplace,
    workplace_day,
)
from .routers import service as service_router
from .validation import translate_errors

logger = logging.getLogger("guanxi.api")


class GuanxiAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        """An endpoint's operationId is its function's name (``customer_list``), whatever
        file of the routers package holds it; names are unique across the API (a test says so)."""
        return operation.view_func.__name__


def build_api():
    api = GuanxiAPI(
        title="Guanxi API",
        version="1",
        description=_api_description(),
        urls_namespace="api",
        auth=BearerToken(),
        throttle=[AnonRateFromSetting("GUANXI_API_ANON_RATE"), AuthRateFromSetting("GUANXI_API_RATE")],
        openapi_url="/openapi.json",
        docs_url="/docs",
    )
    _install_error_handlers(api)

    api.add_router("/auth", auth.router)
    api.add_router("/", org.router)
    api.add_router("/", customers.router)
    api.add_router("/", sales.router)
    api.add_router("/", sales_plans.router)
    api.add_router("/notes", workplace.router)
    api.add_router("/", workplace_day.router)
    api.add_router("/", finance.router)
    api.add_router("/", purchasing.router)
    api.add_router("/", analytics.router)
    api.add_router("/", marketing.router)

    api.add_router("/", service_router.router)
    return api


def _api_description():
    return (
        "Guanxi's public API. Authenticate with `POST /api/v1/auth/token` or a personal access "
        "token and send `Authorization: Bearer <token>`. Lists use cursor pagination "
        "(`limit`, `cursor`, `next_cursor`); errors are `application/problem+json`; updates "
        "honour `If-Match`; writes honour `Idempotency-Key`. A record outside your data scope "
        "answers 404."
    )


def _install_error_handlers(api):
    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        errors = translate_errors(exc.errors)
        return problem_response(request, 422, _("Some fields are not valid."),
                                errors[0]["message"] if len(errors) == 1 else _("Check the listed fields."),
                                errors=errors, code="validation")

    @api.exception_handler(DomainError)
    def domain_error(request, exc):
        return problem_response(request, exc.status, exc.message, exc.message, errors=exc.errors, code=exc.code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem_response(request, 404, _("Not found."), _("No such record, or it is outside your scope."),
                                code="not_found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem_response(request, 403, _("Forbidden."), _("You do not have permission to do this."),
                                code="forbidden")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem_response(request, 413, _("Request too large."),
                                _("The request body is larger than this server accepts."), code="too_large")

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if isinstance(exc, AuthenticationError):
            return problem_response(
                request, 401, _("Not signed in."), _("Send a valid token: Authorization: Bearer <token>."),
                code="unauthenticated", headers={"WWW-Authenticate": "Bearer"},
            )
        if isinstance(exc, Throttled):
            return problem_response(request, 429, _("Too many requests."),
                                    _("Slow down and try again shortly."), code="rate_limited")
        if exc.status_code == 400:
            return problem_response(request, 400, _("Malformed request."),
                                    _("The request body is not valid JSON."), code="malformed")
        return problem_response(request, exc.status_code, str(exc), str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        if may_retry(request, exc):
            raise exc  # a read that lost its database connection: run again (core.middleware)
        lost = lost_connection_response(request, exc)
        if lost is not None:
            return lost
        logger.exception("API error on %s %s", request.method, request.path)
        return problem_response(request, 500, _("Internal error."),
                                _("Something went wrong on the server. It has been logged."), code="internal")


api = build_api()
