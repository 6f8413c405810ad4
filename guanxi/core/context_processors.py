from django.conf import settings

from .navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user) if user is not None else [],
        "languages": settings.LANGUAGES,
    }
