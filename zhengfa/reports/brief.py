"""The stage brief (阶段成效简报): the campaign's results for a unit and a period, written as
the county's 2021 article is — the five 过硬, each paragraph citing figures computed from
records or from figures the units reported. A figure with nothing behind it in the period
says so; the brief never states a zero as a result."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengfa.core.navigation import Pillar

from .figures import Figure, figure, indicators

# Each paragraph: its text with %(placeholder)s for figures, and the indicator behind each
# placeholder (with "~" before the name: written as the article does, "5300余").
PARAGRAPHS: list[tuple[str, list[tuple[Any, dict[str, str]]]]] = [
    (
        Pillar.POLITICS,
        [
            (
                gettext_lazy(
                    "A leading group for the campaign was set up (%(group)s), a work plan "
                    "was drawn up and responsibility passed down level by level: "
                    "%(tasks)s were issued to the units, of which %(tasks_done)s have been "
                    "accepted as done."
                ),
                {
                    "group": "campaign.group_members",
                    "tasks": "campaign.tasks",
                    "tasks_done": "campaign.tasks_done",
                },
            ),
            (
                gettext_lazy(
                    "Special lectures on Xi Jinping Thought on the Rule of Law and on party "
                    "history, campaign progress meetings and the like were held "
                    "%(lectures)s; political rotation training and other training reached "
                    "%(training)s in total; revolutionary-tradition education was held "
                    "%(revolutionary)s, and the county party secretary gave a special party "
                    "lecture %(party_lecture)s."
                ),
                {
                    "lectures": "study.lectures_and_meetings",
                    "training": "~study.training_person_times",
                    "revolutionary": "study.revolutionary_education",
                    "party_lecture": "study.party_lectures_by_secretary",
                },
            ),
        ],
    ),
    (
        Pillar.PROFESSION,
        [
            (
                gettext_lazy(
                    "%(booklets)s of study materials were distributed, studied online and "
                    "offline with sign-in, notes, speaking, photos and records."
                ),
                {"booklets": "study.booklets"},
            ),
            (
                gettext_lazy(
                    "People's, lawyers', judicial and administrative mediation work together: "
                    "%(cases)s of disputes were received and %(closed)s mediated to an "
                    "outcome, %(settled)s of them settled by agreement (a success rate of "
                    "%(rate)s); %(referrals)s were passed between mediation organisations "
                    "and %(confirmed)s of agreements were confirmed by the court."
                ),
                {
                    "cases": "mediation.cases",
                    "closed": "mediation.cases_closed",
                    "settled": "mediation.settled",
                    "rate": "mediation.success_rate",
                    "referrals": "mediation.referrals",
                    "confirmed": "mediation.confirmed",
                },
            ),
        ],
    ),
    (
        Pillar.RESPONSIBILITY,
        [
            (
                gettext_lazy(
                    "The political-legal system carried out volunteer services %(volunteer)s "
                    "and launched %(measures)s of convenience measures for the people. "
                    "“One village, one officer” covers %(villages)s; holiday appointments "
                    "numbered %(holiday)s and officers made %(visits)s for people who "
                    "cannot come."
                ),
                {
                    "volunteer": "service.volunteer_activities",
                    "measures": "service.measures",
                    "villages": "service.villages_covered",
                    "holiday": "service.holiday_appointments",
                    "visits": "service.home_visits_done",
                },
            ),
            (
                gettext_lazy(
                    "The campaign against organised crime went on: %(criminal_cases)s of "
                    "criminal cases, including pornography, gambling and drug cases, were "
                    "investigated and %(gangs)s of criminal gangs were broken up."
                ),
                {
                    "criminal_cases": "reported.criminal_cases",
                    "gangs": "reported.gangs_broken",
                },
            ),
        ],
    ),
    (
        Pillar.DISCIPLINE,
        [
            (
                gettext_lazy(
                    "Integrity education lectures were held %(integrity)s across the "
                    "county's political-legal system."
                ),
                {"integrity": "study.integrity_lectures"},
            ),
            (
                gettext_lazy(
                    "Accepting the public's supervision: on %(conference_dates)s the "
                    "campaign's press conference was held (%(conferences)s), answering "
                    "%(questions)s from the public; %(reports)s of reports were received "
                    "from the public, %(found)s were found true and %(reports_closed)s "
                    "closed."
                ),
                {
                    "conference_dates": "@supervision.press_conferences",
                    "conferences": "supervision.press_conferences",
                    "questions": "supervision.questions_answered",
                    "reports": "supervision.received",
                    "found": "supervision.found_true",
                    "reports_closed": "supervision.closed",
                },
            ),
        ],
    ),
    (
        Pillar.CONDUCT,
        [
            (
                gettext_lazy(
                    "Self-inspection and rectification: %(declarations)s submitted their "
                    "self-inspection forms; %(items)s of problems were put on the ledger, "
                    "%(closed)s of them rectified and closed, and %(overdue)s are past "
                    "their deadline; %(inquiries)s of inquiries into cases were recorded."
                ),
                {
                    "declarations": "rectify.declarations",
                    "items": "rectify.items",
                    "closed": "rectify.closed",
                    "overdue": "rectify.overdue",
                    "inquiries": "rectify.inquiries",
                },
            ),
        ],
    ),
]

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass
class Part:
    text: str
    url: str = ""
    is_figure: bool = False


@dataclass
class Section:
    title: str
    paragraphs: list[list[Part]] = field(default_factory=list)


@dataclass
class Brief:
    title: str
    period: str
    unit: Any
    start: dt.date
    end: dt.date
    sections: list[Section]
    figures: dict[str, Figure]
    written_at: dt.datetime

    @property
    def text(self) -> str:
        lines = [self.title, self.period, ""]
        for section in self.sections:
            lines.append(section.title)
            lines += ["".join(p.text for p in paragraph) for paragraph in section.paragraphs]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _dates(fig: Figure | None, unit: Any, start: dt.date, end: dt.date) -> Part:
    """The days of the press conferences ("4月7日"), from the records the figure counts."""
    rows = indicators()["supervision.press_conferences"].rows if fig else None
    if fig is None or rows is None or not fig.has_data:
        return Part(_("(no press conference in the period)"))
    days = sorted({c.held_on for c in rows(unit, start, end)})
    text = _(", ").join(_("%(month)d-%(day)d") % {"month": d.month, "day": d.day} for d in days)
    return Part(text, fig.url, is_figure=True)


def build(unit: Any, start: dt.date, end: dt.date) -> Brief:
    found = indicators()
    figures: dict[str, Figure] = {}
    sections = []
    for pillar, paragraphs in PARAGRAPHS:
        section = Section(title=str(Pillar(pillar).label))
        for template, slots in paragraphs:
            names = {slot: ref.lstrip("~@") for slot, ref in slots.items()}
            for name in set(names.values()):
                if name not in figures:
                    got = figure(name, unit, start, end, found)
                    if got is not None:
                        figures[name] = got
            if not any(name in figures for name in names.values()):
                continue  # the module behind the paragraph is not on this site
            parts: list[Part] = []
            for n, piece in enumerate(PLACEHOLDER.split(str(template))):
                if n % 2 == 0:
                    if piece:
                        parts.append(Part(piece))
                    continue
                ref = slots[piece]
                fig = figures.get(names[piece])
                if ref.startswith("@"):
                    parts.append(_dates(fig, unit, start, end))
                elif fig is None:
                    parts.append(Part(_("(not recorded on this site)")))
                elif not fig.has_data:
                    parts.append(Part(fig.text()))
                else:
                    parts.append(Part(fig.text(about=ref.startswith("~")), fig.url, True))
            section.paragraphs.append(parts)
        if section.paragraphs:
            sections.append(section)
    return Brief(
        title=_(
            "%(unit)s: results of the education and rectification of the political-legal "
            "workforce so far"
        )
        % {"unit": unit.name},
        period=_("From %(start)s to %(end)s") % {"start": _day(start), "end": _day(end)},
        unit=unit,
        start=start,
        end=end,
        sections=sections,
        figures=figures,
        written_at=timezone.now(),
    )


def _day(day: dt.date) -> str:
    return _("%(year)d-%(month)d-%(day)d") % {"year": day.year, "month": day.month, "day": day.day}


def docx_bytes(brief: Brief) -> bytes:
    """The brief as a Word document: the title, the period, the five sections, each figure
    in bold; the date it was written from the data at the end."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    heading = doc.add_heading(brief.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = doc.add_paragraph(brief.period)
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    numbers = _("One,Two,Three,Four,Five,Six").split(",")
    for n, section in enumerate(brief.sections):
        doc.add_heading(
            _("%(n)s. %(title)s")
            % {"n": numbers[n] if n < len(numbers) else n + 1, "title": section.title},
            level=2,
        )
        for parts in section.paragraphs:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(28)
            for part in parts:
                run = paragraph.add_run(part.text)
                run.bold = part.is_figure
    doc.add_paragraph(
        _("Written from the platform's records on %(day)s.")
        % {"day": _day(timezone.localdate(brief.written_at))}
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
