"""What the analytics routers share."""


def cell(value):
    """A table cell as JSON: counts stay numbers, decimals become strings, no value is null."""
    return value if value is None or isinstance(value, int) else str(value)
