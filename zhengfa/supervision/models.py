"""Public supervision (群众监督): reports of misconduct and complaints about service, followed by
code (the 12337 idea), handled as clues to a conclusion and feedback; press conferences with
questions from the public."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.crypto import EncryptedCharField, HashField
from zhengfa.core.masking import mask_id_number, mask_name, mask_phone
from zhengfa.core.models import Satisfaction
from zhengfa.core.scope import ScopedManager, ScopeSpec
from zhengfa.core.workflow import (
    Transition,
    Workflow,
    WorkflowManager,
    WorkflowModel,
    WorkflowQuerySet,
)


class ReportKind(models.TextChoices):
    MISCONDUCT = "misconduct", _("Report misconduct of an officer")
    COMPLAINT = "complaint", _("Complain about a service")


class Category(models.TextChoices):
    """What the report is about: the six stubborn problems (codes as on the ledger's list),
    other misconduct, or "don't know"."""

    THREE_RULES = "three_rules", _("Interfering in cases (the “three rules”)")
    BUSINESS = "business", _("Running a business against the rules")
    SHARES_LOANS = "shares_loans", _("Shares or lending against the rules")
    FAMILY_BUSINESS = "family_business", _("Spouse or children doing business against the rules")
    COMMUTATION = "commutation", _("Sentence reduction, parole or release out of rules")
    CASES_NOT_PURSUED = "cases_not_pursued", _("Cases not filed, held back or not pursued")
    BRIBES = "bribes", _("Asking for money, gifts or favours")
    ATTITUDE = "attitude", _("Rude, cold or delaying treatment")
    ABUSE = "abuse", _("Abuse of power or unlawful handling of a case")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("I'm not sure")


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Received, waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    VERIFYING = "verifying", _("Being verified")
    MERGED = "merged", _("Handled together with the same matter")
    CONCLUDED = "concluded", _("Concluded")
    CLOSED = "closed", pgettext_lazy("report", "Closed")
    DECLINED = "declined", _("Not accepted")


class Method(models.TextChoices):
    """How a clue is handled (处置方式)."""

    TALK = "talk", _("Talk or written inquiry")
    VERIFY = "verify", _("Preliminary verification")
    HOLD = "hold", _("Kept for later checking")
    END = "end", _("Closed without further action")


class Conclusion(models.TextChoices):
    TRUE = "true", _("True")
    PARTLY = "partly", _("Partly true")
    FALSE = "false", _("Not true")
    UNVERIFIABLE = "unverifiable", _("Could not be verified")


FOUND = {Conclusion.TRUE, Conclusion.PARTLY}


class FeedbackMethod(models.TextChoices):
    PHONE = "phone", _("By phone")
    MEETING = "meeting", _("In person")
    TEXT = "text", _("By text message")
    LETTER = "letter", _("By letter")


# What other reports of the same matter can be merged into: accepted, not yet concluded.
MERGE_TARGETS = {"accepted", "verifying"}

OPEN_TO_ADDITIONS = {
    ReportState.SUBMITTED,
    ReportState.ACCEPTED,
    ReportState.VERIFYING,
    ReportState.MERGED,
}

REPORT_WORKFLOW = Workflow(
    states=ReportState,
    initial=ReportState.SUBMITTED,
    start_label=_("Received"),
    final={ReportState.CLOSED, ReportState.DECLINED},
    files=True,
    transitions=[
        Transition(
            "accept",
            ReportState.SUBMITTED,
            ReportState.ACCEPTED,
            _("Accept"),
            action="change",
            public=True,
        ),
        Transition(
            "decline",
            ReportState.SUBMITTED,
            ReportState.DECLINED,
            _("Do not accept"),
            action="change",
            comment_required=True,
            comment_prompt=_("Please write why, in words the reporter will understand."),
            public=True,
        ),
        # Each of these has its own form and view: a unit and a deadline, a conclusion and
        # the reply, the feedback given, the report it goes with.
        Transition(
            "assign",
            [ReportState.ACCEPTED, ReportState.VERIFYING],
            ReportState.VERIFYING,
            _("Assign for verification"),
            action="assign",
            button=False,
        ),
        Transition(
            "conclude",
            [ReportState.ACCEPTED, ReportState.VERIFYING],
            ReportState.CONCLUDED,
            _("Conclude"),
            action="change",
            public=True,
            button=False,
        ),
        Transition(
            "feedback",
            ReportState.CONCLUDED,
            ReportState.CLOSED,
            _("Record the feedback and close"),
            action="change",
            public=True,
            button=False,
        ),
        # An anonymous reporter cannot be contacted: he reads the reply under his code.
        Transition(
            "close",
            ReportState.CONCLUDED,
            ReportState.CLOSED,
            _("Close"),
            action="change",
            public=True,
            guard=lambda report, user: not report.real_name,
        ),
        Transition(
            "merge",
            [ReportState.SUBMITTED, ReportState.ACCEPTED],
            ReportState.MERGED,
            _("Handle with the same matter"),
            action="change",
            public=True,
            button=False,
        ),
        Transition(
            "unmerge",
            ReportState.MERGED,
            ReportState.ACCEPTED,
            _("Handle it on its own again"),
            action="change",
            public=True,
        ),
        # A merged report follows its main one to the same conclusion.
        Transition(
            "follow",
            ReportState.MERGED,
            ReportState.CONCLUDED,
            _("Concluded with the same matter"),
            action="change",
            public=True,
            button=False,
        ),
    ],
    deadlines={
        ReportState.SUBMITTED: 7,
        ReportState.ACCEPTED: 7,
        # Verification: the deadline the assigner sets (30 days unless he says otherwise).
        ReportState.VERIFYING: 30,
        ReportState.MERGED: None,
        # Feedback to a real-name reporter after the conclusion.
        ReportState.CONCLUDED: 15,
        ReportState.CLOSED: None,
        ReportState.DECLINED: None,
    },
    paused={ReportState.MERGED},
    setting="supervision.report",
)


def _verifying(user: Any) -> Q | None:
    """The staff of the unit verifying a report see its facts (never who wrote it)."""
    from zhengfa.org.access import Role, paths_held_as

    paths = [
        p for role in (Role.LEADER, Role.CLERK, Role.SUPERVISION) for p in paths_held_as(user, role)
    ]
    # While it is being verified: the matter is theirs then, not before or after.
    return Q(verifier_unit__path__in=paths, state=ReportState.VERIFYING) if paths else None


class ReportQuerySet(WorkflowQuerySet):
    def visible_to(self, user: Any, action: str = "view") -> Any:
        """A report about a person never reaches him, whatever else he holds: no page, list,
        count or notice (the unit rules keep his own unit away, see ``services``)."""
        qs = super().visible_to(user, action)
        if getattr(user, "is_authenticated", False):
            qs = qs.exclude(about_officer__user=user)
        return qs


class ReportManager(WorkflowManager):
    _queryset_class = ReportQuerySet


class Report(WorkflowModel):
    """A citizen's report (举报) or complaint (投诉) about the political-legal organs."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    # The supervision office that handles it: the committee of the county it concerns.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    about_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit concerned"),
    )
    officer_named = models.CharField(_("officer, as the reporter wrote"), max_length=60, blank=True)
    # Who it concerns once supervision staff have identified him.
    about_officer = models.ForeignKey(
        "org.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("officer concerned"),
    )
    category = models.CharField(_("about"), max_length=30, choices=Category.choices)
    story = models.TextField(_("what happened"))
    happened_on = models.CharField(_("when"), max_length=60, blank=True)
    place = models.CharField(_("where"), max_length=120, blank=True)
    real_name = models.BooleanField(_("real name"), default=False)
    name = EncryptedCharField(_("reporter's name"), blank=True)
    phone = EncryptedCharField(_("reporter's phone"), hash_field="phone_hash", blank=True)
    phone_hash = HashField(_("phone (search key)"))
    id_number = EncryptedCharField(
        _("reporter's ID number"), hash_field="id_number_hash", blank=True
    )
    id_number_hash = HashField(_("ID number (search key)"))
    # A random token of the form, hashed: the same form sent twice makes one report.
    submission = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    method = models.CharField(_("handling"), max_length=10, choices=Method.choices, blank=True)
    verifier_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=20, choices=Conclusion.choices, blank=True
    )
    # What the verification found, for staff (the reporter reads the reply).
    finding = models.TextField(_("finding"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    feedback_method = models.CharField(
        _("feedback by"), max_length=10, choices=FeedbackMethod.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("handled with"),
    )
    # An opinion on the campaign that was turned into this report (its code now opens this).
    from_opinion = models.OneToOneField(
        "campaign.Suggestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from the opinion"),
    )
    satisfaction = models.CharField(
        _("reporter's rating"), max_length=10, choices=Satisfaction.choices, blank=True
    )
    satisfaction_comment = models.TextField(_("reporter's comment on the result"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)

    workflow = REPORT_WORKFLOW
    revealable = {"name": mask_name, "phone": mask_phone, "id_number": mask_id_number}
    # Only supervision staff hold this domain (with who wrote it, to reveal); the committee
    # sees figures; the verifying unit sees the facts of what it verifies.
    scope = ScopeSpec(domain="supervision", unit="unit", participant=_verifying)
    objects = ReportManager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "state", "created_at"])]

    def __str__(self) -> str:
        return str(_("Report %(n)s") % {"n": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("supervision:report_detail", args=[self.pk])

    @property
    def open_to_additions(self) -> bool:
        return self.state in OPEN_TO_ADDITIONS

    @property
    def found(self) -> bool:
        return self.conclusion in FOUND

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


# --- Press conferences --------------------------------------------------------------------------


class Conference(models.Model):
    """A press conference (新闻发布会): questions from the public before, answers after."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("held by")
    )
    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    speakers = models.TextField(_("speakers"), help_text=_("One per line: name and position."))
    summary = models.TextField(_("summary"), blank=True)
    # Questions are taken from the public until the conference starts.
    questions_open = models.BooleanField(_("taking questions"), default=True)
    published = models.BooleanField(_("shown on the public site"), default=False)

    scope = ScopeSpec(domain="press", unit="unit")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("press conference")
        verbose_name_plural = _("press conferences")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:conference_detail", args=[self.pk])

    @property
    def speaker_lines(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]


class QuestionState(models.TextChoices):
    SUBMITTED = "submitted", _("Received")
    SELECTED = "selected", _("Chosen for the conference")
    ANSWERED = "answered", pgettext_lazy("question", "Answered")
    NOT_TAKEN = "not_taken", _("Not taken up")


QUESTION_WORKFLOW = Workflow(
    states=QuestionState,
    initial=QuestionState.SUBMITTED,
    start_label=_("Received"),
    final={QuestionState.ANSWERED, QuestionState.NOT_TAKEN},
    transitions=[
        Transition(
            "select",
            QuestionState.SUBMITTED,
            QuestionState.SELECTED,
            _("Choose for the conference"),
            action="change",
            public=True,
        ),
        Transition(
            "answer",
            [QuestionState.SUBMITTED, QuestionState.SELECTED],
            QuestionState.ANSWERED,
            pgettext_lazy("question", "Answer"),
            action="change",
            comment_required=True,
            comment_prompt=_("Please write the answer as given at the conference."),
            public=True,
        ),
        Transition(
            "pass",
            [QuestionState.SUBMITTED, QuestionState.SELECTED],
            QuestionState.NOT_TAKEN,
            _("Do not take up"),
            action="change",
            comment_required=True,
            comment_prompt=_("Please write why, in words the asker will understand."),
            public=True,
        ),
    ],
    setting="supervision.question",
)


class Question(WorkflowModel):
    """A citizen's question for a press conference."""

    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="questions", verbose_name=_("conference")
    )
    text = models.TextField(_("question"))
    # How the asker wishes to be named on the public page ("a villager of 张纪镇"), if at all.
    signed = models.CharField(_("signed as"), max_length=40, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=60, blank=True)
    # The key of the form that sent it (``core.challenge``): the same form twice makes one.
    submission = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    workflow = QUESTION_WORKFLOW
    scope = ScopeSpec(domain="press", unit="conference__unit")
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return str(_("Question %(n)s") % {"n": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("supervision:conference_detail", args=[self.conference_id]) + (
            f"#q{self.pk}"
        )
