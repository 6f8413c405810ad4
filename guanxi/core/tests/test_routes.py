from types import SimpleNamespace

from guanxi.core.routes import form_routes, resource


def _view(name):
    def view(request, **kwargs):
        return name
    return view


VIEWS = SimpleNamespace(**{n: _view(n) for n in (
    "note_list", "note_create", "note_detail", "note_edit", "note_delete", "note_action", "note_read",
    "form_list",
)})


def _routes(patterns):
    return [(str(p.pattern), p.name, p.callback) for p in patterns]


def test_resource_routes_and_names_follow_the_actions_in_order():
    patterns = resource("notes/", "note", VIEWS, "list", "create", "detail", "edit", "delete", "read", "action")
    assert _routes(patterns) == [
        ("notes/", "note_list", VIEWS.note_list),
        ("notes/new/", "note_create", VIEWS.note_create),
        ("notes/<int:pk>/", "note_detail", VIEWS.note_detail),
        ("notes/<int:pk>/edit/", "note_edit", VIEWS.note_edit),
        ("notes/<int:pk>/delete/", "note_delete", VIEWS.note_delete),
        ("notes/<int:pk>/read/", "note_read", VIEWS.note_read),
        ("notes/<int:pk>/<str:action>/", "note_action", VIEWS.note_action),
    ]


def test_resource_edit_route_and_view_prefix():
    assert _routes(resource("n/", "note", VIEWS, "edit", edit_route="<int:pk>/")) == [
        ("n/<int:pk>/", "note_edit", VIEWS.note_edit)]
    assert _routes(resource("f/", "capture_form", VIEWS, "list", view_prefix="form")) == [
        ("f/", "capture_form_list", VIEWS.form_list)]


def test_form_routes_add_and_edit_through_one_view():
    assert _routes(form_routes("flows/", "flow", VIEWS.note_edit)) == [
        ("flows/new/", "flow_create", VIEWS.note_edit),
        ("flows/<int:pk>/", "flow_edit", VIEWS.note_edit),
    ]
