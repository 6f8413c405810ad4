"""What the org endpoints share."""


from ninja import Schema


class Page(Schema):
    next_cursor: str | None


