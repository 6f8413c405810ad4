"""Errors as application/problem+json (RFC 9457), in the request's language."""

import json

from django.http import HttpResponse
from django.shortcuts import render

PROBLEM_TYPE = "https://guanxi.dev/problems/"


def problem_response(request, status, title, detail="", *, errors=None, code=None, headers=None):
    body = {
        "type": PROBLEM_TYPE + (code or str(status)),
        "title": str(title),
        "status": status,
        "detail": str(detail or title),
    }
    if errors:
        body["errors"] = [{"field": e.get("field"), "message": str(e["message"])} for e in errors]
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(request, status, title, detail=""):
    """Answer an error in the caller's format: problem+json under /api/, else a page."""
    if request.path.startswith("/api/"):
        return problem_response(request, status, title, detail or title)
    context = {"status": status, "title": title, "detail": detail if detail and str(detail) != str(title) else ""}
    return render(request, "core/error.html", context, status=status)
