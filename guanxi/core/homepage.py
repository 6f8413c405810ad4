"""The home page (``/``): the page of module links unless a higher module registers a
page of its own in its ``AppConfig.ready`` (analytics registers the dashboard). Core so
never imports the module that draws the home page."""

_provider = None


def register(view):
    """``view(request)`` answers ``/`` for a signed-in user."""
    global _provider
    _provider = view


def provider():
    return _provider
