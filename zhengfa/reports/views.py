"""The county and unit dashboards, the drill-down behind each figure, and the stage brief.

Everything is for a unit the person holds "figures" at (or below it) and a date range;
another unit answers 404. Numbers render on the server; the charts only draw them again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhengfa.core.generic import is_id, paginate
from zhengfa.core.navigation import Pillar
from zhengfa.core.scope import can
from zhengfa.org.models import Unit

from . import brief as stage_brief
from .figures import Figure, figure, indicators, months
from .forms import ReportPeriodForm, default_period

# The dashboard's key figures, by the five 过硬 of the article; figures the units report
# (``reported.*``) and any other registered indicator join the section named last for them.
LAYOUT: list[tuple[str, list[str]]] = [
    (
        Pillar.POLITICS,
        [
            "campaign.group_members",
            "campaign.tasks",
            "campaign.tasks_done",
            "study.lectures_and_meetings",
            "study.training_person_times",
            "study.revolutionary_education",
            "study.party_lectures_by_secretary",
        ],
    ),
    (
        Pillar.PROFESSION,
        [
            "study.booklets",
            "mediation.cases",
            "mediation.cases_closed",
            "mediation.settled",
            "mediation.success_rate",
            "mediation.referrals",
            "mediation.confirmed",
        ],
    ),
    (
        Pillar.RESPONSIBILITY,
        [
            "service.volunteer_activities",
            "service.volunteer_participations",
            "service.volunteer_hours",
            "service.measures",
            "service.measures_done",
            "service.villages_covered",
            "service.appointments",
            "service.holiday_appointments",
            "service.home_visits",
            "service.home_visits_done",
            "reported.*",
        ],
    ),
    (
        Pillar.DISCIPLINE,
        [
            "study.integrity_lectures",
            "supervision.press_conferences",
            "supervision.questions_answered",
            "supervision.received",
            "supervision.found_true",
            "supervision.closed",
            "supervision.feedback_share",
            "supervision.satisfied_share",
        ],
    ),
    (
        Pillar.CONDUCT,
        [
            "rectify.declarations",
            "rectify.completion",
            "rectify.items",
            "rectify.self_declared",
            "rectify.closed",
            "rectify.closure_rate",
            "rectify.overdue",
            "rectify.inquiries",
            "*",
        ],
    ),
]
# Month by month, and unit by unit below the one chosen.
TRENDS = [
    "study.training_person_times",
    "service.volunteer_activities",
    "mediation.cases",
    "supervision.received",
    "rectify.items",
    "reported.criminal_cases",
]
COMPARED = [
    "study.training_person_times",
    "service.volunteer_activities",
    "mediation.cases",
    "rectify.items",
]
# Open records past their deadline, by kind: (app label, model, heading).
OVERDUE = [
    ("campaign", "Task", gettext_lazy("Tasks")),
    ("rectify", "LedgerItem", gettext_lazy("Problems on the ledger")),
    ("supervision", "Report", gettext_lazy("Reports from the public")),
    ("mediation", "Case", gettext_lazy("Mediation cases")),
]
OVERDUE_SHOWN = 10


@dataclass
class Scope:
    form: ReportPeriodForm
    unit: Unit
    start: dt.date
    end: dt.date

    @property
    def query(self) -> str:
        return f"unit={self.unit.pk}&start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"


def _scope(request: HttpRequest) -> Scope:
    """The unit and range asked for. A unit outside the person's is not found (404); a bad
    date range shows at the form, with the default range used meanwhile (status 400)."""
    if not can(request.user, "figures", "view"):
        raise PermissionDenied
    units = Unit.objects.granted_to(request.user, "figures", "view").order_by("path")
    top = units.order_by("depth", "path").first()
    if top is None:
        raise PermissionDenied
    asked = request.GET.get("unit", "")
    if asked and not (is_id(asked) and units.filter(pk=asked).exists()):
        raise Http404
    start, end = default_period()
    form = ReportPeriodForm(
        request.GET or None, units=units, initial={"unit": top, "start": start, "end": end}
    )
    unit = top
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"] or top
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    elif asked:
        unit = units.get(pk=asked)
    return Scope(form, unit, start, end)


def _status(scope: Scope) -> int:
    return 400 if scope.form.is_bound and not scope.form.is_valid() else 200


def _key_figures(scope: Scope) -> list[tuple[str, list[Figure]]]:
    found = indicators()
    placed = {name for _p, names in LAYOUT for name in names}
    sections = []
    for pillar, names in LAYOUT:
        wanted: list[str] = []
        for name in names:
            if name == "reported.*":
                wanted += sorted(n for n in found if n.startswith("reported."))
            elif name == "*":
                wanted += sorted(
                    n for n in found if n not in placed and not n.startswith("reported.")
                )
            else:
                wanted.append(name)
        figures = [f for n in wanted if (f := figure(n, scope.unit, scope.start, scope.end, found))]
        if figures:
            sections.append((str(Pillar(pillar).label), figures))
    return sections


def _trends(scope: Scope) -> dict[str, Any]:
    found = indicators()
    names = [n for n in TRENDS if n in found]
    periods = months(scope.start, scope.end)
    rows = [
        {
            "label": str(found[n].label),
            "measure": str(found[n].unit_label),
            "values": [found[n].compute(scope.unit, a, b) for a, b in periods],
        }
        for n in names
    ]
    return {
        "months": [
            _("%(year)d-%(month)02d") % {"year": a.year, "month": a.month} for a, _b in periods
        ],
        "rows": rows,
    }


def _comparison(scope: Scope) -> dict[str, Any]:
    found = indicators()
    names = [n for n in COMPARED if n in found]
    below = list(scope.unit.children.filter(is_active=True).order_by("path"))
    return {
        "columns": [str(found[n].label) for n in names],
        "rows": [
            {
                "unit": child.name,
                "values": [figure(n, child, scope.start, scope.end, found) for n in names],
            }
            for child in below
        ],
    }


def _flow(scope: Scope) -> list[dict[str, Any]]:
    if not apps.is_installed("zhengfa.mediation"):
        return []
    from zhengfa.mediation.selectors import flow

    return flow(scope.unit, scope.start, scope.end)


def _overdue(request: HttpRequest, scope: Scope) -> list[dict[str, Any]]:
    out = []
    for label, name, heading in OVERDUE:
        try:
            model = apps.get_model(label, name)
        except LookupError:
            continue
        qs = model.objects.visible_to(request.user).overdue().within(scope.unit)
        out.append(
            {
                "heading": heading,
                "count": qs.count(),
                "records": list(qs.order_by("due_at", "pk")[:OVERDUE_SHOWN]),
            }
        )
    return out


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    trends = _trends(scope)
    comparison = _comparison(scope)
    flow = _flow(scope)
    charts = {
        "trends": {
            "months": trends["months"],
            "series": [{"name": r["label"], "data": r["values"]} for r in trends["rows"]],
        },
        "comparison": {
            "units": [r["unit"] for r in comparison["rows"]],
            "series": [
                {
                    "name": column,
                    "data": [
                        r["values"][i].value if r["values"][i] else None for r in comparison["rows"]
                    ],
                }
                for i, column in enumerate(comparison["columns"])
            ],
        },
        "flow": flow,
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "scope": scope,
            "sections": _key_figures(scope),
            "trends": trends,
            "comparison": comparison,
            "flow": flow,
            "overdue": _overdue(request, scope),
            "charts": charts,
        },
        status=_status(scope),
    )


def _visible(rows: QuerySet[Any], user: Any, total: int) -> tuple[QuerySet[Any], int]:
    """Of the `total` records a figure counts, those the person may open, and how many
    others."""
    manager = rows.model._default_manager
    if not hasattr(manager, "visible_to"):
        return rows, 0
    shown = rows.filter(pk__in=manager.visible_to(user).values("pk"))
    return shown, total - shown.count()


@login_required
@require_GET
def drill(request: HttpRequest, name: str) -> HttpResponse:
    """The records behind a figure, for the unit and range the figure was computed for."""
    scope = _scope(request)
    indicator = indicators().get(name)
    if indicator is None or indicator.rows is None:
        raise Http404
    fig = figure(name, scope.unit, scope.start, scope.end)
    rows = indicator.rows(scope.unit, scope.start, scope.end)
    total = rows.count()
    shown, hidden = _visible(rows, request.user, total)
    page, query = paginate(request, shown)
    return render(
        request,
        "reports/drill.html",
        {
            "scope": scope,
            "figure": fig,
            "total": total,
            "page": page,
            "query": query,
            "hidden": hidden,
        },
        status=_status(scope),
    )


@login_required
@require_GET
def brief(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    return render(
        request,
        "reports/brief.html",
        {"scope": scope, "brief": stage_brief.build(scope.unit, scope.start, scope.end)},
        status=_status(scope),
    )


@login_required
@require_GET
def brief_docx(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if _status(scope) != 200:
        return brief(request)
    made = stage_brief.build(scope.unit, scope.start, scope.end)
    response = HttpResponse(
        stage_brief.docx_bytes(made),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"brief-{scope.unit.code}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
