"""Diversified dispute resolution (多元解纷): mediation cases across the four channels, the
referrals between organisations (对接), agreements, judicial confirmation and follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.crypto import EncryptedCharField, HashField
from zhengfa.core.masking import mask_address, mask_id_number, mask_phone
from zhengfa.core.scope import ScopedManager, ScopeSpec
from zhengfa.core.workflow import Transition, Workflow, WorkflowManager, WorkflowModel


class Channel(models.TextChoices):
    PEOPLE = "people", _("People's mediation")
    LAWYER = "lawyer", _("Lawyer mediation")
    JUDICIAL = "judicial", _("Court mediation")
    ADMIN = "admin", _("Administrative mediation")


# Which channel a mediation organisation works in, by its kind of unit.
CHANNEL_OF_KIND: dict[str, str] = {
    "mediation_committee": Channel.PEOPLE,
    "litigation_mediation": Channel.PEOPLE,
    "lawyer_studio": Channel.LAWYER,
    "court": Channel.JUDICIAL,
    "tribunal": Channel.JUDICIAL,
    "admin_dispute_centre": Channel.ADMIN,
    "justice_office": Channel.ADMIN,
    "police_station": Channel.ADMIN,
}
# The word of a case number per channel: （2021）康人调字第0012号.
NUMBER_WORD: dict[str, str] = {
    Channel.PEOPLE: "人调",
    Channel.LAWYER: "律调",
    Channel.JUDICIAL: "诉调",
    Channel.ADMIN: "行调",
}


def channel_of(unit: Any) -> str | None:
    return CHANNEL_OF_KIND.get(getattr(unit, "kind", ""))


class DisputeType(models.Model):
    """Reference data, seeded and then kept by the committee; `confirmable` is False for the
    matters the law keeps from judicial confirmation (identity, marriage, adoption)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    confirmable = models.BooleanField(_("may be judicially confirmed"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("dispute type")
        verbose_name_plural = _("dispute types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    APPLICATION = "application", _("Application by a party")
    OWN = "own", _("Taken up by the mediator")
    ASSIGNED = "assigned", _("Assigned by the court before filing")
    ENTRUSTED = "entrusted", _("Entrusted by the court after filing")
    POLICE = "police", _("Passed on by the police")
    PETITION = "petition", _("Passed on from a petition")
    OTHER = "other", _("Other")


class CaseState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted for mediation")
    MEDIATING = "mediating", _("Being mediated")
    REFERRED = "referred", _("Referred, waiting for the other organisation")
    SETTLED = "settled", _("Settled by agreement")
    FAILED = "failed", _("Mediation ended without agreement")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Not accepted for mediation")


CASE_WORKFLOW = Workflow(
    states=CaseState,
    initial=CaseState.APPLIED,
    start_label=_("Applied"),
    final={CaseState.SETTLED, CaseState.FAILED, CaseState.WITHDRAWN, CaseState.DECLINED},
    files=True,
    transitions=[
        Transition("accept", CaseState.APPLIED, CaseState.ACCEPTED, _("Accept"), public=True),
        Transition(
            "decline",
            CaseState.APPLIED,
            CaseState.DECLINED,
            _("Do not accept"),
            comment_required=True,
            comment_prompt=_("Please write why, in words the parties will understand."),
            public=True,
        ),
        Transition(
            "begin", CaseState.ACCEPTED, CaseState.MEDIATING, _("Begin mediating"), public=True
        ),
        # With its own forms: an agreement, a referral (and its answer).
        Transition(
            "settle",
            CaseState.MEDIATING,
            CaseState.SETTLED,
            _("Record the agreement"),
            public=True,
            button=False,
        ),
        Transition(
            "fail",
            [CaseState.ACCEPTED, CaseState.MEDIATING],
            CaseState.FAILED,
            _("End without agreement"),
            comment_required=True,
            comment_prompt=_("Please write why the mediation ended."),
            public=True,
        ),
        Transition(
            "withdraw",
            [CaseState.APPLIED, CaseState.ACCEPTED, CaseState.MEDIATING],
            CaseState.WITHDRAWN,
            _("The applicant withdrew"),
            public=True,
        ),
        Transition(
            "refer",
            [CaseState.APPLIED, CaseState.ACCEPTED, CaseState.MEDIATING],
            CaseState.REFERRED,
            # Between organisations: the citizen reads "referred to …" (a public note), not why.
            _("Refer to another organisation"),
            comment_required=True,
            public=False,
            button=False,
        ),
        Transition(
            "take",
            CaseState.REFERRED,
            CaseState.ACCEPTED,
            _("Take the referred case"),
            public=False,
            button=False,
        ),
        Transition(
            "return",
            CaseState.REFERRED,
            CaseState.APPLIED,
            _("Return the referred case"),
            comment_required=True,
            public=False,
            button=False,
        ),
    ],
    deadlines={
        CaseState.APPLIED: 3,
        # Accepted and mediating: the time limit of the source (services), kept on begin.
        CaseState.REFERRED: 3,
        CaseState.SETTLED: None,
        CaseState.FAILED: None,
        CaseState.WITHDRAWN: None,
        CaseState.DECLINED: None,
    },
    setting="mediation.case",
)


class Case(WorkflowModel):
    """A mediation case. It keeps one identity and one history across referrals; the
    organisation holding it now is `organisation`."""

    number = models.CharField(_("case number"), max_length=40, unique=True)
    organisation = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    dispute_type = models.ForeignKey(
        DisputeType, on_delete=models.PROTECT, related_name="+", verbose_name=_("dispute type")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    amount = models.DecimalField(
        _("amount at stake (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    village = models.ForeignKey(
        "org.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
    )
    facts = models.TextField(_("facts"))
    requests = models.TextField(_("what the applicant asks"), blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mediator"),
    )
    # The time limit was extended with the parties' consent (recorded on the timeline).
    extended = models.BooleanField(_("time limit extended"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The key of the citizen's form (``core.challenge.submission_key``): sent twice, one case.
    submission = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Mediated again after a follow-up found the agreement of this earlier case unperformed.
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("mediated again after"),
    )

    workflow = CASE_WORKFLOW
    deadline_owner_field = "mediator"
    scope = ScopeSpec(
        domain="mediation",
        unit="organisation",
        # An organisation that held the case before sees it afterwards (its own part).
        participant=lambda user: _held_before(user),
    )
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("mediation:case_detail", args=[self.pk])


def _held_before(user: Any) -> Q | None:
    """The cases an organisation of the user's held before, and those sent to his court for
    judicial confirmation."""
    from zhengfa.core.scope import grant_for, subtree_q

    paths = grant_for(user, "mediation", "view").paths
    if not paths:
        return None
    return Q(
        pk__in=Referral.objects.filter(subtree_q("from_organisation", paths)).values("case")
    ) | Q(pk__in=Confirmation.objects.filter(subtree_q("court", paths)).values("case"))


class CaseNumber(models.Model):
    """The last number given per organisation, year and word (人调, 调确…): never reused."""

    organisation = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    word = models.CharField(max_length=10, default="")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "word"], name="case_number_once_per_word"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("side"), max_length=12, choices=PartyRole.choices)
    is_organisation = models.BooleanField(_("an organisation"), default=False)
    name = models.CharField(_("name"), max_length=80)
    phone = EncryptedCharField(_("phone"), hash_field="phone_hash", blank=True)
    phone_hash = HashField(_("phone (search key)"))
    id_number = EncryptedCharField(
        _("ID number or credit code"), hash_field="id_number_hash", blank=True
    )
    id_number_hash = HashField(_("ID number (search key)"))
    address = EncryptedCharField(_("address"), blank=True)

    revealable = {"phone": mask_phone, "id_number": mask_id_number, "address": mask_address}
    scope = ScopeSpec(domain="mediation", unit="case__organisation")
    objects = ScopedManager["Party"]()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return self.id_number if self.is_organisation else mask_id_number(self.id_number)

    @property
    def address_masked(self) -> str:
        return mask_address(self.address)


class Referral(models.Model):
    """A case passed from one organisation to another (对接), accepted or returned there."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("Waiting")
        TAKEN = "taken", _("Taken")
        RETURNED = "returned", _("Returned")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    from_channel = models.CharField(_("from channel"), max_length=10, choices=Channel.choices)
    to_channel = models.CharField(_("to channel"), max_length=10, choices=Channel.choices)
    reason = models.TextField(_("reason"))
    from_state = models.CharField(max_length=20, choices=CaseState.choices)
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_organisation}"

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()


class Session(models.Model):
    """A mediation session while the case is being mediated."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    organisation = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    online = models.BooleanField(_("online"), default=False)
    participants = models.TextField(_("participants"))
    record = models.TextField(_("record"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """The agreement that settled a case (调解协议, 人民调解法 Arts. 28–29)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="agreement")
    organisation = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    issues = models.TextField(_("facts, issues and responsibility"))
    terms = models.TextField(_("agreed terms"))
    performance = models.TextField(_("manner and period of performance"))
    oral = models.BooleanField(_("an oral agreement (recorded by the mediator)"), default=False)
    agreed_on = models.DateField(_("agreed on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return str(_("Agreement of %(case)s") % {"case": self.case})

    @property
    def confirm_by(self) -> Any:
        """The last day the parties may apply for judicial confirmation."""
        return self.agreed_on + dt.timedelta(days=APPLY_DAYS)


class ConfirmationState(models.TextChoices):
    APPLIED = "applied", _("Applied, the court decides on acceptance")
    ACCEPTED = "accepted", _("Accepted, the court is to rule")
    NOT_ACCEPTED = "not_accepted", _("Not accepted by the court")
    CONFIRMED = "confirmed", _("Confirmed as valid")
    REJECTED = "rejected", _("Rejected")


CONFIRMATION_OPEN = {ConfirmationState.APPLIED, ConfirmationState.ACCEPTED}
# 民事诉讼法 and the Supreme People's Court's rules: apply within 30 days of the agreement;
# the court decides on acceptance within 3 days and rules within 15, extendable by 10.
APPLY_DAYS, ACCEPT_DAYS, RULE_DAYS, RULE_EXTENSION_DAYS = 30, 3, 15, 10


class Confirmation(models.Model):
    """Judicial confirmation (司法确认) of a case's agreement by the county court."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="confirmation")
    court = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("court")
    )
    number = models.CharField(_("case number"), max_length=40, unique=True)
    state = models.CharField(
        _("status"),
        max_length=20,
        choices=ConfirmationState.choices,
        default=ConfirmationState.APPLIED,
    )
    applied_on = models.DateField(_("applied on"))
    applicants = models.CharField(_("applied for by"), max_length=200)
    accept_by = models.DateField(_("acceptance to be decided by"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    rule_by = models.DateField(_("ruling due by"), null=True, blank=True)
    extended = models.BooleanField(_("ruling time extended"), default=False)
    ruled_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.TextField(_("ruling or reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(domain="mediation", unit="court")
    objects = ScopedManager["Confirmation"]()

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")
        ordering = ["-applied_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.state in CONFIRMATION_OPEN

    @property
    def due(self) -> Any:
        """The date the court's next decision is due, while one is."""
        if self.state == ConfirmationState.APPLIED:
            return self.accept_by
        if self.state == ConfirmationState.ACCEPTED:
            return self.rule_by
        return None

    @property
    def is_overdue(self) -> bool:
        return bool(self.due and self.due < timezone.localdate())


class Performance(models.TextChoices):
    PERFORMED = "performed", _("Performed in full")
    PARTLY = "partly", _("Partly performed")
    NOT_PERFORMED = "not_performed", _("Not performed")


class NextStep(models.TextChoices):
    NONE = "", _("Nothing further")
    REMEDIATE = "remediate", _("Mediate again")
    LITIGATION = "litigation", _("Guide the parties to the court (litigation)")


class Visit(models.Model):
    """A follow-up visit (回访): was the agreement performed, and what next if not."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    organisation = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visited on"))
    performance = models.CharField(
        _("was the agreement performed?"), max_length=20, choices=Performance.choices
    )
    note = models.TextField(_("what was found"))
    next_step = models.CharField(
        _("next step"), max_length=20, choices=NextStep.choices, default="", blank=True
    )
    new_case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mediated again as"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.visited_on}"


class RosterEntry(models.Model):
    """The court's roster of invited mediation (特邀调解名册): an organisation, or one of its
    mediators, that the court may send cases to, with specialties and availability."""

    court = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("court")
    )
    organisation = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("mediation organisation"),
    )
    mediator = models.ForeignKey(
        "org.Mediator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("mediator (blank: the organisation)"),
    )
    specialties = models.ManyToManyField(
        DisputeType, blank=True, related_name="+", verbose_name=_("specialties")
    )
    available = models.BooleanField(_("taking cases now"), default=True)
    hours = models.CharField(_("when available"), max_length=120, blank=True)
    since = models.DateField(_("on the roster since"), default=timezone.localdate)

    scope = ScopeSpec(domain="mediation", unit="court")
    objects = ScopedManager["RosterEntry"]()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster of invited mediation")
        ordering = ["organisation__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "organisation", "mediator"], name="roster_once"
            ),
            models.UniqueConstraint(
                fields=["court", "organisation"],
                condition=Q(mediator__isnull=True),
                name="roster_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.mediator or self.organisation)
