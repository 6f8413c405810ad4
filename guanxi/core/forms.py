from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import picklists
from .errors import DomainError
from .fulfilment import posted_quantities


class SearchableSelect(forms.Select):
    """A select of the likeliest few choices with a search box above it that fetches the
    options matching what is typed (HTMX, ``search_url?q=…`` answers ``<option>`` rows):
    a list of thousands is never rendered, any of them can still be chosen."""

    def __init__(self, search_url, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url

    def render(self, name, value, attrs=None, renderer=None):
        target = (attrs or {}).get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" name="q" class="customer-search" maxlength="60" autocomplete="off" '
            'placeholder="{}" aria-label="{}" hx-get="{}" hx-trigger="input changed delay:300ms, search" '
            'hx-target="#{}" hx-swap="innerHTML" hx-sync="this:replace">',
            _("Search"), _("Search"), self.search_url, target)
        return search + super().render(name, value, attrs, renderer)


class SavedViewForm(forms.Form):
    list_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=80)
    is_shared = forms.BooleanField(label=_("Share with colleagues"), required=False)


def report_error(request, exc):
    """Show a domain error as a message on the next page (its first field error, or its text)."""
    messages.error(request, exc.errors[0]["message"] if exc.errors else exc.message)


def report_message(request, exc):
    """Show a domain error's own text as a message (not its first field error)."""
    messages.error(request, exc.message)


def act(request, run, *, done, back, then=None, report=report_error):
    """The POST of a button on a record (delete, claim, confirm, acknowledge…): call
    ``run()`` (one service); on success show ``done`` (a text, or a function of what
    ``run`` returned) and go to ``then`` (``back`` when not given); a refusal shows its
    message with ``report`` and goes ``back``, nothing changed. ``back`` and ``then``
    are what ``redirect`` takes (a record, a URL name, a URL); ``then`` may also be a
    function of what ``run`` returned. ``done=None`` shows no message."""
    try:
        result = run()
    except DomainError as exc:
        report(request, exc)
        return redirect(back)
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(back if then is None else then(result) if callable(then) else then)


def emailed(post):
    """The recipient and the message of a document's e-mail form (quotes, purchase orders)."""
    return {"to": post.get("to", "").strip(), "message": post.get("message", "")[:2000]}


def act_on(request, action, actions, *, back, report=report_error):
    """``act`` for a view that takes the action's name from its URL: ``actions`` maps each
    name to ``(run, done)``; an unknown name is a 404."""
    if action not in actions:
        raise Http404
    run, done = actions[action]
    return act(request, run, done=done, back=back, report=report)


def branch_rules_posted(request, branches, save, *, own, done):
    """The POST of a page of per-branch rules with a company default (``PerBranchSettings``):
    ``save(branch, posted)`` for the company default (branch None) and for each branch with
    rules of its own (``own(posted)`` true; the others follow the default), ``posted(name)``
    being the value of that row's field ``name``. All saved: a message and ``done``; a
    refusal: its message and None, for the page to show again."""
    try:
        for branch in branches:
            key = branch.pk if branch else "default"

            def posted(name, key=key):
                return request.POST.get(f"{name}_{key}", "")

            if branch is not None and not own(posted):
                continue
            save(branch, posted)
    except DomainError as exc:
        report_error(request, exc)
        return None
    messages.success(request, _("Saved."))
    return redirect(done)


def fulfil_posted(request, order, make, *, prefix, done):
    """Ship or receive what the form posts against ``order`` (SAL-5, PUR-3): ``make`` is the
    service (shipment_create, goods_receipt_create), ``prefix`` the quantity fields', ``done``
    the message with ``%(number)s``. Goes to the new document, or back to the order."""
    warehouse = picklists.items("sales.warehouse").filter(pk=request.POST.get("warehouse") or 0).first()
    try:
        document = make(actor=request.user, order=order, quantities=posted_quantities(request.POST, prefix),
                        warehouse=warehouse, notes=request.POST.get("notes", ""))
    except DomainError as exc:
        report_error(request, exc)
        return redirect(order)
    messages.success(request, done % {"number": document.number})
    return redirect(document)


def run_service(form, action):
    """Call ``action(form.cleaned_data)`` and show a service's error on the form.

    Returns the action's result, or None when the form or the service rejected the
    input (the service's transaction has then rolled back: nothing changed).
    """
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except DomainError as exc:
        if exc.errors:
            for error in exc.errors:
                field = error.get("field")
                form.add_error(field if field in form.fields else None, error["message"])
        else:
            form.add_error(None, exc.message)
        return None


def form_page(request, form, save, *, title, saved_message, success_url, cancel_url,
              template="core/form.html", context=None):
    """The create/edit page every module has: GET shows the form; a valid POST calls
    ``save(cleaned_data)`` (a service), shows a success toast and redirects.

    ``success_url`` may be a URL, a URL name, a model (its get_absolute_url) or a
    callable taking the saved object.
    """

    if request.method == "POST":
        saved = run_service(form, save)
        if saved is not None:
            messages.success(request, saved_message)
            target = success_url(saved) if callable(success_url) else success_url
            return redirect(target)
    return render(request, template, {
        "form": form, "title": title, "cancel_url": resolve_url(cancel_url), **(context or {}),
    })
