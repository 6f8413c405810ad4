"""Errors as application/problem+json (RFC 9457): the builder lives in core, where the
HTML error pages and the bad-input middleware use it too."""

from guanxi.core.problems import PROBLEM_TYPE, problem_response

__all__ = ["PROBLEM_TYPE", "problem_response"]
