import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings.base")
application = get_wsgi_application()

# load: the apps are ready only now; build lazy tables before the first request
from guanxi.core.warmup import warm_up  # noqa: E402

warm_up()
