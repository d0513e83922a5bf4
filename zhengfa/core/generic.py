"""The pieces every module's staff views are made of, so that no module writes its own:

- :func:`paginate` — a page of a list and the query string its pager links keep;
- :func:`render_page` — a whole page, or for an htmx request its fragment (with ``Vary``);
- :func:`form_page` — the one page a single form is shown on (``core/form_page.html``);
- :func:`workflow_page` — a record's page with its workflow buttons and its history;
- :func:`transition_view` — the view behind those buttons.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import TransitionForm, add_service_errors
from .scope import get_scoped_or_404

PER_PAGE = 50
# Lists are counted exactly up to this many rows; a longer one (a province's officers) is
# estimated by PostgreSQL's planner, so that no page counts a whole table row by row.
EXACT_COUNT = 1000


def is_id(value: str) -> bool:
    """Whether a value from a URL is a record id: ASCII digits only ("²" is a digit to
    Python, not to the database)."""
    return value.isascii() and value.isdigit() and len(value) < 19


def estimated_rows(qs: QuerySet[Any]) -> int | None:
    """The planner's estimate of the rows `qs` returns (PostgreSQL), or None elsewhere."""
    if connections[qs.db].vendor != "postgresql":
        return None
    sql, params = qs.order_by().query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class BoundedPaginator(Paginator):
    """A paginator whose count reads at most EXACT_COUNT + 1 rows; beyond that the count is
    the planner's estimate (``estimated`` says so, and the page shows "about")."""

    estimated = False

    @cached_property
    def count(self) -> int:
        items = self.object_list
        if not isinstance(items, QuerySet):
            return len(items)
        # Counted by id alone: the figures a list annotates (evidence counts per activity)
        # are not worked out for every row of the count.
        found = items.order_by().values("pk")[: EXACT_COUNT + 1].count()
        if found <= EXACT_COUNT:
            return found
        guess = estimated_rows(items)
        if guess is None:
            return items.count()
        self.estimated = True
        return max(guess, found)

    def validate_number(self, number: Any) -> int:
        # An estimate may fall short of the rows there are: any page past it may be asked for.
        valid = super().validate_number(number) if not self.count_estimated() else None
        if valid is not None:
            return valid
        try:
            asked = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if asked < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return asked

    def count_estimated(self) -> bool:
        return self.count is not None and self.estimated

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        # Whether another page follows is read, not worked out from the estimate.
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return _ReadAheadPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class _ReadAheadPage(Page):
    def __init__(self, object_list: Any, number: int, paginator: Any, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


def paginate(
    request: HttpRequest, items: QuerySet[Any] | list[Any], per_page: int = PER_PAGE
) -> tuple[Page[Any], str]:
    """The requested page (a bad number gives the nearest page) and the other parameters."""
    page = BoundedPaginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, or its `fragment` template when htmx asks; caches keep the two apart."""
    htmx = bool(getattr(request, "htmx", False))
    response = render(request, fragment if fragment and htmx else template, context, status=status)
    if fragment:
        patch_vary_headers(response, ["HX-Request"])
    return response


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str | Promise,
    submit: str | Promise | None = None,
    hint: str | Promise = "",
    back: str = "",
    status: int | None = None,
) -> HttpResponse:
    """A page with one form. A bound form that comes back here has errors: 400."""
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": title,
            "submit": submit or _("Save"),
            "hint": hint,
            "back": back,
            "multipart": form.is_multipart(),
        },
        status=status if status is not None else (400 if form.is_bound else 200),
    )


def workflow_page(
    request: HttpRequest,
    template: str,
    record: Any,
    *,
    url_name: str,
    form: Any = None,
    status: int = 200,
    timeline: Callable[[list[Any]], list[Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """A record's detail page: `context`, plus the buttons the user may press now (`panel`,
    for ``core/partials/_transitions.html``) and the record's history (`timeline`, or what
    the function `timeline` keeps of it for this person)."""
    from .workflow import timeline_for, transition_panel

    panel = transition_panel(record, request.user, url_name=url_name, form=form)
    events = timeline_for(record)
    return render(
        request,
        template,
        {**context, "panel": panel, "timeline": timeline(events) if timeline else events},
        status=status,
    )


def form_post(
    request: HttpRequest,
    form: Any,
    apply: Callable[[dict[str, Any]], object],
    *,
    done: str,
    to: str,
    again: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """The POST of one of a record's forms: valid, the module's service runs with the cleaned
    data and the person is sent on to `to` with `done`; refused by the form or the service,
    `again(form)` shows the page once more with the reason at the form (its status: 400)."""
    if form.is_valid():
        try:
            apply(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(to)
    return again(form)


TransitionPage = Callable[..., HttpResponse]


def transition_view(
    queryset: QuerySet[Any] | type[Model],
    *,
    apply: Callable[..., Any],
    page: TransitionPage,
) -> Callable[[HttpRequest, int, str], HttpResponse]:
    """The POST behind a record's workflow buttons (``core/partials/_transitions.html``).

    `apply(record=..., name=..., by=..., comment=..., files=...)` is the module's
    transition service; `page(request, record, form=..., status=...)` renders
    the detail page again when the form or the service refuses, with the reason at the form.
    Out of scope answers 404; refusals by permission come from the service as 403.
    """

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
        record = get_scoped_or_404(queryset, request.user, pk=pk)
        step = record.workflow.get(name)
        if step is not None and not step.button:  # a step with its own form and view
            raise Http404
        form = TransitionForm(request.POST, request.FILES, files=record.workflow.files)
        if form.is_valid():
            try:
                apply(
                    record=record,
                    name=name,
                    by=request.user,
                    comment=form.cleaned_data["comment"],
                    files=form.cleaned_data.get("attachments") or [],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Recorded: %(step)s.") % {"step": step.label if step else name}
                )
                return redirect(record.get_absolute_url())
        record.refresh_from_db()
        return page(request, record, form=form, status=400)

    return view
