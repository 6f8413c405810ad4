"""Work a process does once at start instead of on its first request (issue 15: the
first pinyin search of a fresh worker took 1.6–2.5 s while a table was built).

Modules register what to build in ``AppConfig.ready``; the WSGI entry point and the Celery
worker call ``warm_up()`` once the apps are ready. Management commands and tests do not
pay for it unless they ask."""

_steps = []


def register(step):
    if step not in _steps:
        _steps.append(step)


def warm_up():
    for step in _steps:
        step()
    return len(_steps)
