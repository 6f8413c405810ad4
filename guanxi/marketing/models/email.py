"""Models of the email part of marketing."""

__all__: list[str] = []
