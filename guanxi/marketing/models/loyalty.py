"""Models of the loyalty part of marketing."""

__all__: list[str] = []
