"""Every staff view of supervision: success, wrong method, out of scope (404), read-only (403).

Reports are for supervision staff; the unit verifying one sees it (leader of the bureau,
here verifying a report about station A); the officer concerned and his station see nothing.
"""

from __future__ import annotations

from zhengfa.campaign.models import Suggestion
from zhengfa.campaign.services import suggestion_submit
from zhengfa.core.testing import ViewCase
from zhengfa.org.testing import MatrixTestCase
from zhengfa.supervision.models import Conference, Question, Report
from zhengfa.supervision.services import question_submit

from .factories import conference, report_about_a, verifying

NOT_SEEN = ["officer_a", "leader_a", "clerk_a", "leader_b", "officer_b", "committee"]


class SupervisionMatrix(MatrixTestCase):
    report: Report
    accepted: Report
    conference: Conference
    question: Question
    opinion: Suggestion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.report = report_about_a(cls.p)
        cls.accepted = report_about_a(cls.p, story="另一件事:出警时收了一方的烟酒。")
        verifying(cls.p, cls.accepted)
        cls.conference = conference(cls.p)
        cls.question, _code = question_submit(conference=cls.conference, text="怎么举报?")
        cls.opinion, _code = suggestion_submit(topic="conduct", content="民警收了好处费。")

    cases = [
        ViewCase(
            "supervision:report_list",
            ok=["supervision", "leader_a"],
            no_scope="a list shows each person what his roles reach (none for most)",
        ),
        ViewCase(
            "supervision:report_detail",
            ok=["supervision"],
            args=lambda t: [t.report.pk],
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_detail",
            name="report seen by the verifying unit",
            ok=["supervision"],
            args=lambda t: [t.accepted.pk],
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_transition",
            ok=["supervision"],
            args=lambda t: [t.report.pk, "accept"],
            method="post",
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_assign",
            ok=["supervision"],
            args=lambda t: [t.accepted.pk],
            method="post",
            data=lambda t: {
                "assign-unit": t.p.root.pk,
                "assign-method": "verify",
                "assign-deadline": "2099-01-01",
            },
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_conclude",
            ok=["supervision"],
            args=lambda t: [t.accepted.pk],
            method="post",
            data=lambda t: {
                "conclude-conclusion": "false",
                "conclude-finding": "未发现",
                "conclude-reply": "经核查不属实。",
            },
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_feedback",
            ok=["supervision"],
            args=lambda t: [t.report.pk],
            method="post",
            # Not concluded yet: the service says so at the form.
            status=400,
            data=lambda t: {"feedback-method": "phone", "feedback-note": "已电话告知"},
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_merge",
            ok=["supervision"],
            args=lambda t: [t.report.pk],
            method="post",
            status=400,
            data=lambda t: {"merge-into": "0"},
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:report_note",
            ok=["supervision"],
            args=lambda t: [t.accepted.pk],
            method="post",
            data=lambda t: {"note-comment": "已调取监控"},
            out_of_scope=NOT_SEEN,
        ),
        ViewCase(
            "supervision:figures",
            ok=["supervision", "committee"],
            no_scope="figures of what each person's roles reach",
            read_only=["leader_a", "officer_a"],
        ),
        ViewCase(
            "supervision:from_opinion",
            ok=["committee"],
            args=lambda t: [t.opinion.pk],
            allowed=["post"],
            out_of_scope=["officer_a", "leader_a"],
        ),
        ViewCase(
            "supervision:conference_list",
            ok=["committee", "leader_a"],
            no_scope="a list shows each person what his roles reach",
        ),
        ViewCase(
            "supervision:conference_create",
            ok=["committee"],
            allowed=["post"],
            no_scope="nothing to be out of: people who hold no conferences get 403",
            read_only=["officer_a", "supervision"],
        ),
        ViewCase(
            "supervision:conference_detail",
            ok=["committee", "supervision"],
            args=lambda t: [t.conference.pk],
            out_of_scope=["leader_a", "officer_a"],
        ),
        ViewCase(
            "supervision:conference_edit",
            ok=["committee"],
            args=lambda t: [t.conference.pk],
            allowed=["post"],
            out_of_scope=["leader_a", "officer_a"],
            read_only=["supervision"],
        ),
        ViewCase(
            "supervision:question_transition",
            ok=["committee"],
            args=lambda t: [t.question.pk, "select"],
            method="post",
            out_of_scope=["leader_a", "officer_a"],
            read_only=["supervision"],
        ),
    ]
