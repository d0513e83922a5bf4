"""What the supervision module plugs in: reports from the public (举报, 投诉) handled as clues,
and press conferences with the public's questions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.generic import PER_PAGE
from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    COMMITTEES,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    Plugin,
    PublicEntry,
    PublicView,
    Todo,
    Workbench,
    listed_at,
)
from zhengfa.core.scope import can
from zhengfa.core.workbench import todo
from zhengfa.org.access import ASSIGN, CHANGE, REVEAL, VIEW, Role

from . import demo, selectors, services
from .models import Conference, Question, QuestionState, Report, ReportState

FIGURES = "figures"
COUNT = pgettext_lazy("unit of count", "reports")
PERCENT = _("%")


def _todos(user: Any) -> list[Todo]:
    reports = reverse("supervision:report_list")
    lines = [todo(_("Matters for my unit to verify"), selectors.to_verify(user), reports)]
    if can(user, "supervision", CHANGE):
        inbox = selectors.inbox(user)
        lines += [
            todo(
                _("New reports to accept or decline"),
                inbox.filter(state=ReportState.SUBMITTED),
                f"{reports}?state={ReportState.SUBMITTED}",
            ),
            todo(
                _("Reports to send for verification or conclude"),
                inbox.filter(state__in=[ReportState.ACCEPTED, ReportState.VERIFYING]),
                f"{reports}?state=open",
            ),
            todo(
                _("Real-name reporters to give feedback"),
                inbox.filter(state=ReportState.CONCLUDED, real_name=True),
                f"{reports}?state={ReportState.CONCLUDED}&name=real",
            ),
            todo(
                _("Anonymous reports concluded, to close"),
                inbox.filter(state=ReportState.CONCLUDED, real_name=False),
                f"{reports}?state={ReportState.CONCLUDED}&name=anonymous",
            ),
            # The promise on the form: a real-name reporter hears from us within 30 days.
            todo(
                _("Real-name reporters waiting over 30 days without feedback"),
                selectors.uncontacted(inbox),
                f"{reports}?state=open&name=real&due=uncontacted",
            ),
        ]
    if can(user, "press", CHANGE):
        lines.append(
            todo(
                _("Questions for press conferences"),
                Question.objects.visible_to(user, CHANGE).filter(
                    state__in=[QuestionState.SUBMITTED, QuestionState.SELECTED]
                ),
                reverse("supervision:conference_list"),
            )
        )
    return lines


def _report_title(report: Report) -> str:
    return str(_("Your report of %(day)s") % {"day": report.created_at.date()})


def _report_details(report: Report) -> list[tuple[Any, Any]]:
    rows: list[tuple[Any, Any]] = [
        (_("Kind"), report.get_kind_display()),
        (_("About"), report.get_category_display()),
        (_("Submitted on"), report.created_at),
    ]
    if report.about_unit_id:
        rows.append((_("Unit concerned"), report.about_unit.name))  # type: ignore[union-attr]
    rows.append((_("Name given"), _("Real name") if report.real_name else _("Anonymous")))
    return rows


def _report_expected(report: Report) -> Any:
    if report.state in {ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.VERIFYING}:
        return report.due_at
    return None


def _rating(report: Report) -> str:
    return report.get_satisfaction_display() if report.satisfaction else ""


PLUGIN = Plugin(
    name="supervision",
    domains={
        # Reports: supervision staff alone (who wrote one, to reveal, audited); the committee
        # sees figures. The verifying unit's staff see the facts of what they verify
        # (``Report.scope.participant``), never the reporter.
        "supervision": {
            Role.SUPERVISION: {VIEW, CHANGE, ASSIGN, REVEAL, FIGURES},
            Role.COMMITTEE: {FIGURES},
        },
        # Press conferences: the committee's and the organs' staff who hold them.
        "press": {
            Role.COMMITTEE: {VIEW, CHANGE},
            Role.LEADER: {VIEW, CHANGE},
            Role.CLERK: {VIEW, CHANGE},
            Role.SUPERVISION: {VIEW},
        },
    },
    navigation=[
        NavItem(
            Pillar.DISCIPLINE,
            _("Reports from the public"),
            "supervision:report_list",
            "supervision",
            order=45,
        ),
        NavItem(
            Pillar.DISCIPLINE,
            _("Report figures"),
            "supervision:figures",
            "supervision",
            action=FIGURES,
            order=46,
        ),
        NavItem(
            Pillar.CONDUCT, _("Press conferences"), "supervision:conference_list", "press", order=60
        ),
    ],
    public_entries=[
        PublicEntry(
            label=_("Report or complain about an officer"),
            url_name="supervision:report_new",
            description=_(
                "An officer broke the rules, asked for favours or treated you badly: tell "
                "us, with your name or without."
            ),
            order=35,
        ),
        PublicEntry(
            label=_("Press conferences"),
            url_name="supervision:conference_public_list",
            description=_("Ask a question before a conference; read the answers after it"),
            order=70,
        ),
    ],
    workbench=[Workbench(_todos, order=25)],
    followups={
        Report: PublicView(
            title=_report_title,
            is_open=lambda r: r.open_to_additions,
            details=_report_details,
            submission=lambda r: r.story,
            expected_by=_report_expected,
            answers=("decline", "conclude", "follow"),
            supplement=lambda r, text, files: services.report_supplement(
                report=r, comment=text, files=files
            ),
            rate=lambda r, rating, comment: services.report_rate(
                report=r, rating=rating, comment=comment
            ),
            may_rate=lambda r: r.state == ReportState.CLOSED and r.rated_at is None,
            rating=_rating,
        ),
        Question: PublicView(
            title=lambda q: str(_("Your question for the press conference")),
            is_open=lambda q: False,
            details=lambda q: [(_("Conference"), str(q.conference))],
            submission=lambda q: q.text,
            expected_by=lambda q: None,
            answers=("answer", "pass"),
        ),
    },
    demo=DemoBuilder(build=demo.build, order=50, county=demo.build_county),
    indicators=[
        Indicator(
            "supervision.received",
            _("reports from the public received"),
            COUNT,
            selectors.received,
            rows=selectors.received_reports,
            records=listed_at("supervision:report_list"),
        ),
        Indicator(
            "supervision.found_true",
            _("reports found true or partly true"),
            COUNT,
            selectors.found_true,
            rows=selectors.found_true_reports,
        ),
        Indicator(
            "supervision.closed",
            _("reports closed"),
            COUNT,
            selectors.closed,
            rows=selectors.closed_reports,
            records=listed_at("supervision:report_list", ReportState.CLOSED),
        ),
        Indicator(
            "supervision.feedback_share",
            _("real-name reporters given feedback within 30 days"),
            PERCENT,
            selectors.feedback_share,
        ),
        Indicator(
            "supervision.satisfied_share",
            _("reporters satisfied or mostly satisfied"),
            PERCENT,
            selectors.satisfied_share,
        ),
        Indicator(
            "supervision.press_conferences",
            _("press conferences held"),
            pgettext_lazy("unit of count", "conferences"),
            selectors.conferences,
            rows=selectors.conferences_held,
        ),
        Indicator(
            "supervision.questions_answered",
            _("questions from the public answered at press conferences"),
            pgettext_lazy("unit of count", "questions"),
            selectors.questions_answered,
            rows=selectors.answered_questions,
        ),
    ],
    bench_pages=[
        BenchPage("/report/"),
        BenchPage(
            "/staff/supervision/",
            who=("jiancha",),
            main_query=lambda user: (
                Report.objects.visible_to(user)
                .select_related("about_unit", "verifier_unit")
                .order_by("-created_at", "-pk")[:PER_PAGE]
            ),
        ),
        BenchPage("/staff/supervision/figures/", who=COMMITTEES),
    ],
    audited=[
        # What the reporter wrote and who he is stay in the report; the log records changes.
        Audited(
            Report,
            {
                "mask_fields": ["name", "phone", "id_number", "story", "officer_named"],
                "exclude_fields": ["phone_hash", "id_number_hash", "submission"],
            },
            private=True,
        ),
        Audited(Conference),
        Audited(Question, {"mask_fields": ["signed"]}),
    ],
)
