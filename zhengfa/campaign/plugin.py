"""What the campaign app plugs in: campaign work, opinions from the public, the campaign's
phases on the public home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.generic import PER_PAGE
from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    LEADERS,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    Panel,
    Plugin,
    PublicEntry,
    PublicView,
    Todo,
    Workbench,
    counted,
)
from zhengfa.core.scope import roles_of
from zhengfa.core.workbench import todo
from zhengfa.org.access import ADMIN, ASSIGN, CHANGE, REVEAL, VIEW, Role

from . import demo, selectors, services
from .models import (
    Campaign,
    DataElement,
    DataReport,
    DataValue,
    Exemplar,
    Phase,
    PlanItem,
    Suggestion,
    Task,
)


def _phases(request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    campaign = selectors.current_campaign(today)
    if campaign is None:
        return None
    return {
        "campaign": campaign,
        "phases": campaign.phases.all(),
        "current_phase": campaign.current_phase(today),
        "ended": campaign.ends_on < today,
    }


def _opinion_form() -> dict[str, str]:
    """An opinion as a browser sends it, with a proof of work and a token of its own."""
    from zhengfa.core.challenge import new_puzzle, new_token, solve

    return {
        "topic": "service",
        "content": "建议在乡镇设身份证自助拍照点,老人跑县城不方便。",
        "unit": "unknown",
        "proof": solve(new_puzzle()),
        "submission": new_token(),
    }


def _kangbao_plan() -> str:
    campaign = Campaign.objects.filter(name=demo.NAME).first()
    return f"/staff/campaigns/{campaign.pk}/plan/" if campaign else "/staff/campaigns/"


def _todos(user: Any) -> list[Todo]:
    tasks = reverse("campaign:task_list")
    opinions = reverse("campaign:suggestion_list")
    if Role.SUPERVISION in roles_of(user):  # watches, does not answer: what is late
        return [
            todo(
                _("Overdue tasks to watch"),
                Task.objects.visible_to(user).overdue(),
                f"{tasks}?due=overdue",
            ),
            todo(
                _("Overdue opinions to watch"),
                Suggestion.objects.visible_to(user).overdue(),
                f"{opinions}?due=overdue",
            ),
        ]
    figures = reverse("campaign:data_home")
    return [
        todo(_("Figures for me to approve"), selectors.reports_to_approve(user), figures),
        todo(
            _("Figures returned to my unit to correct"), selectors.reports_to_correct(user), figures
        ),
        todo(
            _("Tasks for my unit to report"),
            selectors.tasks_to_report(user),
            f"{tasks}?work=report",
        ),
        todo(_("Reports for me to check"), selectors.tasks_to_check(user), f"{tasks}?work=check"),
        todo(
            _("Opinions from the public to answer"),
            selectors.opinions_to_answer(user),
            f"{opinions}?work=answer",
        ),
    ]


def _units_overview(request: HttpRequest) -> dict[str, Any] | None:
    rows = selectors.units_overview(request.user)
    return {"rows": rows} if rows else None


def _answer_by(s: Suggestion) -> Any:
    return s.answer_due if s.is_open else None


def _suggestion_supplement(record: Suggestion, text: str, files: list[Any]) -> None:
    services.suggestion_supplement(suggestion=record, comment=text, files=files)


PLUGIN = Plugin(
    name="campaign",
    domains={
        # Campaign work: campaigns, phases, tasks, study work (seen by everyone in the line).
        "work": {
            Role.COMMITTEE: {VIEW, CHANGE, ASSIGN, REVEAL},
            Role.LEADER: {VIEW, CHANGE, ASSIGN, REVEAL},
            Role.CLERK: {VIEW, CHANGE, REVEAL},
            Role.SUPERVISION: {VIEW},
            Role.OFFICER: {VIEW},
            # People's mediators are not of the workforce the campaign educates: their work
            # is mediation (issue 13), not officers' study and tasks.
        },
        # Figures units report per period: entered by its staff, approved by the unit above
        # (assign), the figures themselves defined by the committee (admin).
        "figures": {
            Role.COMMITTEE: {VIEW, CHANGE, ASSIGN, ADMIN},
            Role.LEADER: {VIEW, CHANGE, ASSIGN},
            Role.CLERK: {VIEW, CHANGE},
        },
        # What citizens write is for the staff who handle it, not every officer; who wrote
        # it (name, phone) is for supervision staff alone, as for reports of misconduct.
        "opinions": {
            Role.COMMITTEE: {VIEW, CHANGE},
            Role.LEADER: {VIEW, CHANGE},
            Role.CLERK: {VIEW, CHANGE},
            Role.SUPERVISION: {VIEW, REVEAL},
        },
    },
    navigation=[
        NavItem(Pillar.POLITICS, _("Campaigns"), "campaign:campaign_list", "work", order=10),
        NavItem(Pillar.POLITICS, _("Model figures"), "campaign:exemplar_list", "work", order=15),
        NavItem(Pillar.RESPONSIBILITY, _("Tasks"), "campaign:task_list", "work", order=30),
        NavItem(
            Pillar.RESPONSIBILITY,
            _("Reported figures"),
            "campaign:data_home",
            "figures",
            order=35,
        ),
        NavItem(
            Pillar.DISCIPLINE,
            _("Opinions from the public"),
            "campaign:suggestion_list",
            "opinions",
            order=40,
        ),
    ],
    public_entries=[
        PublicEntry(
            label=_("Our models"),
            url_name="campaign:exemplars_public",
            description=_("The officers we learn from, and their deeds"),
            order=70,
        ),
        PublicEntry(
            label=_("Give your opinion"),
            url_name="campaign:suggestion_new",
            description=_("Tell us what you think of the officers' work"),
            order=40,
        ),
    ],
    public_panels=[Panel("campaign/partials/_public_phases.html", _phases, order=50)],
    workbench=[Workbench(_todos, order=20)],
    staff_panels=[Panel("campaign/partials/_units_overview.html", _units_overview, order=50)],
    followups={
        Suggestion: PublicView(
            title=lambda s: str(_("Opinion: %(topic)s") % {"topic": s.get_topic_display()}),
            is_open=lambda s: s.is_open,
            details=lambda s: [(_("Submitted on"), s.created_at)],
            submission=lambda s: s.content,
            expected_by=_answer_by,
            answers=("answer", "decline"),
            supplement=_suggestion_supplement,
        ),
    },
    demo=DemoBuilder(build=demo.build, order=20, county=demo.build_county),
    indicators=[
        Indicator(
            "campaign.group_members",
            _("members of the leading group"),
            pgettext_lazy("unit of count", "people"),
            counted(selectors.group_members),
            rows=selectors.group_members,
        ),
        Indicator(
            "campaign.tasks",
            _("tasks of the work plan issued"),
            pgettext_lazy("unit of count", "tasks"),
            counted(selectors.tasks_issued),
            rows=selectors.tasks_issued,
        ),
        Indicator(
            "campaign.tasks_done",
            _("tasks accepted as done"),
            pgettext_lazy("unit of count", "tasks"),
            counted(selectors.tasks_done),
            rows=selectors.tasks_done,
        ),
    ],
    indicator_sources=[selectors.reported_indicators],
    bench_pages=[
        BenchPage("/opinion/"),
        BenchPage("/models/"),
        BenchPage("/opinion/", method="post", form=_opinion_form, fresh=True),
        BenchPage(
            "/staff/tasks/",
            who=LEADERS,
            main_query=lambda user: (
                Task.objects.visible_to(user)
                .select_related("unit", "campaign", "owner")
                .order_by("due_at", "pk")[:PER_PAGE]
            ),
        ),
        # Kangbao's work plan, as its committee and the police bureau's leader see it.
        BenchPage(_kangbao_plan, who=("zfw", "gaj_leader")),
        BenchPage("/staff/figures-reported/?period_type=month&day=2021-03-15", who=LEADERS),
        BenchPage(
            "/staff/opinions/",
            who=LEADERS,
            main_query=lambda user: Suggestion.objects.visible_to(user).select_related(
                "handler", "unit"
            )[:PER_PAGE],
        ),
    ],
    audited=[
        Audited(Campaign),
        Audited(Exemplar),
        Audited(Phase),
        Audited(Task),
        Audited(PlanItem),
        Audited(DataElement),
        Audited(DataReport),
        Audited(DataValue),
        # What a citizen wrote stays in the opinion; the log records that it changed.
        Audited(
            Suggestion,
            {
                "mask_fields": ["phone", "name", "content", "officer_named"],
                "exclude_fields": ["phone_hash"],
            },
        ),
    ],
)
