"""Models of the capture part of marketing."""

__all__: list[str] = []
