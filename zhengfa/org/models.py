from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengfa.core.crypto import EncryptedCharField, HashField
from zhengfa.core.masking import mask_id_number, mask_phone
from zhengfa.core.scope import ScopedManager, ScopedQuerySet, ScopeSpec
from zhengfa.core.validators import validate_id_number, validate_phone

from .access import Role

PATH_STEP = 6  # digits per level of a materialised path: "000001.000012."


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """An account. Officers and mediators have a profile beside it."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    # Set when an administrator issues a password: only its owner should know it, so he
    # changes it at his next sign-in before anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    # An account lies in every unit it holds a role or a profile in, and is administered
    # only by someone whose reach covers all of them (else a station's administrator could
    # take over a county leader who also leads the station). One with no unit at all (not
    # yet placed) is administered from the top of the tree.
    scope = ScopeSpec(
        domain="org", unit=("role_assignments__unit", "officer__unit", "mediator__organisation")
    )
    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Town or township")
    VILLAGE = "village", _("Village")


class Area(models.Model):
    """An administrative area: city → county → township → village."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    COMMITTEE = "committee", _("Political-legal committee")
    COURT = "court", _("Court")
    TRIBUNAL = "tribunal", _("People's tribunal")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    POLICE = "police", _("Public security bureau")
    POLICE_STATION = "police_station", _("Police station")
    JUSTICE = "justice", _("Justice bureau")
    JUSTICE_OFFICE = "justice_office", _("Justice office")
    MEDIATION_COMMITTEE = "mediation_committee", _("People's mediation committee")
    LAWYER_STUDIO = "lawyer_studio", _("Lawyer mediation studio")
    LITIGATION_MEDIATION = "litigation_mediation", _("Litigation people's mediation studio")
    ADMIN_DISPUTE_CENTRE = "admin_dispute_centre", _("Administrative dispute resolution centre")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """An organisation in the unit tree. ``path`` is materialised: the ids of its ancestors."""

    name = models.CharField(_("name"), max_length=80)
    code = models.CharField(_("unit code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(
        _("place in the tree"), max_length=255, editable=False, db_index=True, default=""
    )
    depth = models.PositiveSmallIntegerField(_("level in the tree"), editable=False, default=0)
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas covered"), blank=True, related_name="units"
    )
    phone = models.CharField(
        _("public phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(domain="org", unit="")
    objects = ScopedManager["Unit"]()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        """Whether this unit lies in `other`'s subtree (itself included)."""
        return self.path.startswith(other.path)

    def compute_path(self) -> str:
        """The path this unit must have, given its id and its parent's path."""
        assert self.pk is not None
        prefix = self.parent.path if self.parent_id and self.parent else ""
        return f"{prefix}{self.pk:0{PATH_STEP}d}."


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", _("Serving")
    LEFT = "left", _("Left")


class Officer(models.Model):
    """A political-legal officer (干警) or auxiliary officer (辅警): an account and this profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="officer",
        verbose_name=_("account"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="officers", verbose_name=_("unit")
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    staff_number = models.CharField(_("staff or police number"), max_length=30, unique=True)
    is_auxiliary = models.BooleanField(_("auxiliary officer"), default=False)
    work_phone = models.CharField(
        _("work phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    id_number = EncryptedCharField(
        _("ID number"), hash_field="id_number_hash", blank=True, validators=[validate_id_number]
    )
    id_number_hash = HashField(_("ID number (search key)"))
    status = models.CharField(
        _("status"), max_length=10, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)

    revealable = {"id_number": mask_id_number, "work_phone": mask_phone}
    # Stored encrypted (or keyed-hashed): lists that do not show them defer them.
    ENCRYPTED = ("id_number", "work_phone", "id_number_hash")
    scope = ScopeSpec(domain="org", unit="unit", owner="user")
    objects = ScopedManager["Officer"]()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["unit__path", "staff_number"]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def work_phone_masked(self) -> str:
        return mask_phone(self.work_phone)


class MediatorKind(models.TextChoices):
    PEOPLE = "people", _("People's mediator")
    LAWYER = "lawyer", _("Lawyer")
    JUDGE = "judge", _("Judge")
    ADMIN = "admin", _("Administrative staff")


class Mediator(models.Model):
    """A mediator who is not (necessarily) an officer, tied to a mediation organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mediator",
        verbose_name=_("account"),
    )
    organisation = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="mediators",
        verbose_name=_("mediation organisation"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MediatorKind.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(domain="org", unit="organisation", owner="user")
    objects = ScopedManager["Mediator"]()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")

    def __str__(self) -> str:
        return self.user.display_name


class RoleAssignment(models.Model):
    """A role held by a user at a unit; it reaches the unit's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("account"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("unit")
    )

    scope = ScopeSpec(domain="org", unit="unit", owner="user")
    objects = ScopedManager["RoleAssignment"]()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="org_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
