"""The URL patterns of a module's records, routed and named the same way in every module.

``resource("notes/", "note", views, "list", "create", "detail", "edit", "delete")`` stands
for the five ``path`` lines a module would otherwise write out, and
``form_routes("flows/", "flow", views.flow_edit)`` for a page that both adds and edits.
"""

from django.urls import URLPattern, path

ROUTES = {
    "list": "",
    "create": "new/",
    "detail": "<int:pk>/",
    "edit": "<int:pk>/edit/",
    "delete": "<int:pk>/delete/",
    "action": "<int:pk>/<str:action>/",  # one view for the record's buttons (act_on)
}


def resource(prefix: str, name: str, views: object, *actions: str, view_prefix: str | None = None,
             edit_route: str = ROUTES["edit"]) -> list[URLPattern]:
    """A ``path`` for each of ``actions`` under ``prefix``, in the order given: the action
    ``a`` is served by ``views.<view_prefix>_<a>`` (``view_prefix`` defaults to ``name``)
    and named ``<name>_<a>``. The routes are ``ROUTES``'s (``edit_route`` for "edit", where
    a record's page is its form: ``"<int:pk>/"``); any other action ``a`` is ``<int:pk>/a/``."""
    routes = {**ROUTES, "edit": edit_route}
    return [
        path(prefix + routes.get(action, f"<int:pk>/{action}/"),
             getattr(views, f"{view_prefix or name}_{action}"), name=f"{name}_{action}")
        for action in actions
    ]


def form_routes(prefix: str, name: str, view) -> list[URLPattern]:
    """One form page that adds (``new/``, named ``<name>_create``) and edits (``<int:pk>/``,
    named ``<name>_edit``, the view gets ``pk``) the records under ``prefix``."""
    return [
        path(prefix + "new/", view, name=f"{name}_create"),
        path(prefix + "<int:pk>/", view, name=f"{name}_edit"),
    ]
