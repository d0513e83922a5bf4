"""What a module plugs into the platform, declared in one place and read from one place.

Each app under ``zhengfa/`` derives its ``AppConfig`` from :class:`ModuleConfig` and keeps a
``plugin.py`` that declares ``PLUGIN = Plugin(...)``; at start-up the registry takes it in.
Core reads everything from :data:`registry` and imports no domain app::

    # zhengfa/mediation/plugin.py
    PLUGIN = Plugin(
        name="mediation",
        domains={"mediation": {Role.MEDIATOR: {"view", "change"}, ...}},
        navigation=[NavItem(pillar=Pillar.PROFESSION, label=_("Disputes"),
                            url_name="mediation:dispute_list", domain="mediation")],
        public_entries=[PublicEntry(label=_("Ask for mediation"),
                                    url_name="mediation:apply", order=30)],
        jobs=[PeriodicJob("mediation.remind", enqueue=..., period=daily)],
        followups={Dispute: PublicView(title=..., is_open=..., supplement=...)},
        demo=DemoBuilder(build=demo.build, order=50),
        indicators=[Indicator("disputes_resolved", _("disputes resolved"), _("cases"),
                              compute=selectors.resolved_count)],
        bench_pages=[BenchPage("/staff/mediation/", who=STAFF, main_query=selectors.page)],
        audited=[Audited(Dispute, {"mask_fields": ["phone"]})],
    )

What each entry means:

- ``domains``: access domains the module owns, ``{domain: {role: actions}}``; an action
  written ``own:view`` applies to the user's own records only (see ``core.scope``).
- ``navigation``: staff menu entries, grouped by the five pillars (``core.navigation``).
- ``public_entries`` / ``public_panels``: what the public home page offers and shows.
- ``staff_panels``: what the staff home page (工作台) shows.
- ``jobs``: periodic jobs, each run once per period by whichever worker claims it.
- ``followups``: records a citizen follows with a code, and what the public page shows.
- ``demo``: the module's part of the demo county and of each synthetic county of a province
  (``seed_demo --counties N`` runs builders by order).
- ``indicators``: named figures for a unit subtree and a date range, from records, with the
  records they count (``rows``) for drill-down; ``indicator_sources``: those that come from
  data (figures units report).
- ``bench_pages``: the module's busiest pages, driven over HTTP by ``make bench``.
- ``audited``: models whose changes django-auditlog records (with its options).
- ``access``: the provider of grants and roles (the org app; exactly one).
- ``identity``: who runs the site, from data (the org app: the root unit and its area).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .scope import Grant

Label = str | Promise


@dataclass(frozen=True)
class NavItem:
    """A staff menu entry, shown to users who hold `action` in `domain` somewhere."""

    pillar: str
    label: Label
    url_name: str
    domain: str
    action: str = "view"
    order: int = 100
    # A further condition beyond the domain grant, when a page asks for more.
    allowed: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class PublicEntry:
    """A service a citizen can start from the public home page."""

    label: Label
    url_name: str
    description: Label = ""
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A part of a home page: a template and its context (None leaves the panel out)."""

    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class Todo:
    """One line of a person's workbench: work that needs him, counted, opening its list."""

    label: Label
    count: int
    url: str
    # Of `count`, how many are past their deadline, and by how many days the worst one is.
    overdue: int = 0
    days_over: int = 0


@dataclass(frozen=True)
class Workbench:
    """A module's part of the staff home: ``todos(user)`` lists what needs that person now
    (empty lines are left out by the page). Counts come from the scope door, so a line only
    ever opens a list the person may see."""

    todos: Callable[[Any], Sequence[Todo]]
    order: int = 100


@dataclass(frozen=True)
class PeriodicJob:
    """A job enqueued once per period (``period()`` names the current one, e.g. a date)."""

    name: str
    enqueue: Callable[[], object]
    period: Callable[[], str]


def _no_details(record: Any) -> list[tuple[Any, Any]]:
    return []


def _state_label(record: Any) -> str:
    return str(getattr(record, "state_label", ""))


def _nothing(record: Any) -> str:
    return ""


def _never(record: Any) -> bool:
    return False


def _always(record: Any) -> bool:
    return True


def _due_while_open(record: Any) -> Any:
    """When the citizen may expect the next answer: the record's due date while it is open."""
    return getattr(record, "due_at", None) if getattr(record, "is_open", False) else None


@dataclass(frozen=True)
class PublicView:
    """What the follow-up page shows a citizen of a record, and whether it takes additions."""

    title: Callable[[Any], str]
    is_open: Callable[[Any], bool]
    status: Callable[[Any], str] = _state_label
    details: Callable[[Any], list[tuple[Any, Any]]] = _no_details
    # What the citizen wrote, shown back to him first (his files are shown beside it).
    submission: Callable[[Any], str] = _nothing
    # The date by which he may expect an answer, or None (the due date while open).
    expected_by: Callable[[Any], Any] = _due_while_open
    # The transitions whose public comment is the answer, shown above the history.
    answers: tuple[str, ...] = ()
    # The module's service for the citizen's addition: (record, text, files) -> None.
    supplement: Callable[[Any, str, list[Any]], None] | None = None
    # The module's service for a step the citizen may take himself (the workflow's
    # transitions with ``by_citizen``, e.g. cancelling a booking): (record, name) -> None.
    # The page offers each such step while it is available, behind a second tap.
    act: Callable[[Any, str], None] | None = None
    # Whether those steps are open to him now (beyond the state: a booking's time not come).
    may_act: Callable[[Any], bool] = _always
    # After it is closed the citizen rates the result (``core.models.Satisfaction``): the
    # module's service (record, rating, comment) -> None, whether he may rate it now, and
    # what he chose (shown afterwards; "" while not rated).
    rate: Callable[[Any, str, str], None] | None = None
    may_rate: Callable[[Any], bool] = _never
    rating: Callable[[Any], str] = _nothing


@dataclass(frozen=True)
class DemoBuilder:
    """Adds the module's part to the demo county; returns counts of what it created.

    Deterministic and idempotent: it finds what exists by natural keys and adds only what is
    missing. ``seed_demo`` runs the builders by ``order`` with the audit log switched off.
    """

    build: Callable[[str], dict[str, int]]
    order: int
    # (county) -> counts: the module's year of records for one synthetic county of a province,
    # at the demo county's proportions, in bulk inserts (``county`` is ``org.demo.County``).
    county: Callable[[Any], dict[str, int]] | None = None


@dataclass(frozen=True)
class Indicator:
    """A named figure: ``compute(unit, start, end)`` for the unit's subtree, dates inclusive."""

    name: str
    label: Label
    unit_label: Label
    # None: nothing recorded or reported for the range (said so, never printed as 0).
    compute: Callable[[Any, dt.date, dt.date], int | float | None]
    # Where the records behind the figure are listed, for (unit, start, end), if anywhere.
    records: Callable[[Any, dt.date, dt.date], str] | None = None
    # The records the figure counts (or sums), for the dashboards' drill-down.
    rows: Callable[[Any, dt.date, dt.date], models.QuerySet[Any]] | None = None

    def records_url(self, unit: Any, start: dt.date, end: dt.date) -> str:
        return self.records(unit, start, end) if self.records else ""


def counted(
    rows: Callable[[Any, dt.date, dt.date], models.QuerySet[Any]],
) -> Callable[[Any, dt.date, dt.date], int]:
    """An indicator's ``compute`` that counts its ``rows``: the figure and its drill-down
    list are the same records by construction."""
    return lambda unit, start, end: rows(unit, start, end).count()


def listed_at(url_name: str, state: str = "") -> Callable[[Any, dt.date, dt.date], str]:
    """An indicator's ``records`` for a list page that filters by ``?state=`` alone (the
    list shows what the person may see, whatever the unit and period)."""

    def url(unit: Any, start: dt.date, end: dt.date) -> str:
        from django.urls import reverse

        base = reverse(url_name)
        return f"{base}?state={state}" if state else base

    return url


# The demo users ``make bench`` signs in as (``org.demo`` makes them): a station officer, a
# unit leader, the county committee and, in a province (``seed_demo --counties N``, N > 1),
# the city and the province committees.
STAFF = ("pcs_a", "gaj_leader", "zfw", "zfw_city", "zfw_province")
LEADERS = ("gaj_leader", "zfw", "zfw_city", "zfw_province")
COMMITTEES = ("zfw", "zfw_city", "zfw_province")


@dataclass(frozen=True)
class BenchPage:
    """A page ``make bench`` drives over HTTP, as each demo user of `who` (empty: the public).

    `path` may be a function that finds the page in the demo data (the busiest activity).
    `form` gives a POST's fields (the bench adds the CSRF token); with `fresh`, each call
    gives values of their own (a public form's proof of work and token, good for one
    sending), and every request of the load gets its own. `main_query(user)` is the
    query of what one page of a list shows, timed alone beside the page. `download` marks
    an export, whose peak memory is measured too. `root_only`: a page for the committee at
    the top of the site alone (zfw on a county's site, zfw_province on a province's); the
    bench asks each of `who` only where he is that committee."""

    path: str | Callable[[], str]
    who: Sequence[str] = ()
    method: str = "get"
    form: Callable[[], dict[str, str]] | None = None
    fresh: bool = False
    main_query: Callable[[Any], Any] | None = None
    download: bool = False
    root_only: bool = False

    @property
    def url(self) -> str:
        return self.path() if callable(self.path) else self.path

    @property
    def public(self) -> bool:
        return not self.who


@dataclass(frozen=True)
class Audited:
    """A model whose changes are audited, with django-auditlog's register() options."""

    model: type[models.Model]
    options: Mapping[str, Any] = field(default_factory=dict)
    # Its changes are listed on the audit pages only to those who may view such records in
    # its domain (reports from the public: their very existence is confidential).
    private: bool = False


@dataclass(frozen=True)
class Identity:
    """Who runs this site: the organisation's name and the area it serves (from data)."""

    owner: str = ""
    area: str = ""


class Access(Protocol):
    """Who may do what: the org app provides it (roles held at units of the tree)."""

    def grant(self, user: Any, domain: str, action: str) -> Grant: ...

    def roles(self, user: Any) -> set[str]: ...

    def fingerprint(self, user: Any) -> str:
        """Changes whenever what the user may do changes (for caches of per-person parts)."""
        ...


@dataclass(frozen=True)
class Plugin:
    name: str
    domains: Mapping[str, Mapping[str, Collection[str]]] = field(default_factory=dict)
    navigation: Sequence[NavItem] = ()
    public_entries: Sequence[PublicEntry] = ()
    public_panels: Sequence[Panel] = ()
    staff_panels: Sequence[Panel] = ()
    workbench: Sequence[Workbench] = ()
    jobs: Sequence[PeriodicJob] = ()
    followups: Mapping[type[models.Model], PublicView] = field(default_factory=dict)
    demo: DemoBuilder | None = None
    indicators: Sequence[Indicator] = ()
    # Indicators that come from data (figures the units report, defined by the committee):
    # called when asked, never at start-up.
    indicator_sources: Sequence[Callable[[], Sequence[Indicator]]] = ()
    bench_pages: Sequence[BenchPage] = ()
    audited: Sequence[Audited] = ()
    access: Access | None = None
    identity: Callable[[], Identity] | None = None


class Registry:
    """Everything the plugins declared. Read it; only :meth:`register` writes it."""

    def __init__(self) -> None:
        self.plugins: dict[str, Plugin] = {}
        self.grants: dict[str, dict[str, frozenset[str]]] = {}
        self.followups: dict[type[models.Model], PublicView] = {}
        self.indicators: dict[str, Indicator] = {}
        self.access: Access | None = None
        self.identity: Callable[[], Identity] | None = None
        self.private_audit: list[type[models.Model]] = []

    def register(self, plugin: Plugin) -> None:
        """Take in a plugin. Declaring the same domain, job, indicator or follow-up twice is
        a mistake that would silently shadow one of them, so it stops the start-up."""
        if plugin.name in self.plugins:
            raise ImproperlyConfigured(f"plugin {plugin.name!r} registered twice")
        for domain, grants in plugin.domains.items():
            self._unique(domain, self.grants, "access domain")
            self.grants[domain] = {str(role): frozenset(acts) for role, acts in grants.items()}
        for model, view in plugin.followups.items():
            self._unique(model, self.followups, "follow-up kind")
            self.followups[model] = view
        for indicator in plugin.indicators:
            self._unique(indicator.name, self.indicators, "indicator")
            self.indicators[indicator.name] = indicator
        names = {job.name for p in self.plugins.values() for job in p.jobs}
        for job in plugin.jobs:
            if job.name in names:
                raise ImproperlyConfigured(f"periodic job {job.name!r} declared twice")
        if plugin.access is not None:
            if self.access is not None:
                raise ImproperlyConfigured("only one plugin may provide access")
            self.access = plugin.access
        if plugin.identity is not None:
            if self.identity is not None:
                raise ImproperlyConfigured("only one plugin may provide the site's identity")
            self.identity = plugin.identity
        if plugin.audited:
            from auditlog.registry import auditlog

            for entry in plugin.audited:
                auditlog.register(entry.model, **dict(entry.options))
                if entry.private:
                    self.private_audit.append(entry.model)
        self.plugins[plugin.name] = plugin

    @staticmethod
    def _unique(key: Any, taken: Mapping[Any, Any], what: str) -> None:
        if key in taken:
            raise ImproperlyConfigured(f"{what} {key!r} declared twice")

    def _all(self, attribute: str) -> list[Any]:
        return [item for p in self.plugins.values() for item in getattr(p, attribute)]

    @property
    def navigation(self) -> list[NavItem]:
        return sorted(self._all("navigation"), key=lambda i: i.order)

    @property
    def public_entries(self) -> list[PublicEntry]:
        return sorted(self._all("public_entries"), key=lambda e: e.order)

    @property
    def public_panels(self) -> list[Panel]:
        return sorted(self._all("public_panels"), key=lambda p: p.order)

    @property
    def staff_panels(self) -> list[Panel]:
        return sorted(self._all("staff_panels"), key=lambda p: p.order)

    @property
    def workbench(self) -> list[Workbench]:
        return sorted(self._all("workbench"), key=lambda w: w.order)

    @property
    def jobs(self) -> list[PeriodicJob]:
        return self._all("jobs")

    @property
    def demo_builders(self) -> list[tuple[str, DemoBuilder]]:
        found = [(p.name, p.demo) for p in self.plugins.values() if p.demo is not None]
        return sorted(found, key=lambda nb: nb[1].order)

    @property
    def bench_pages(self) -> list[BenchPage]:
        return self._all("bench_pages")

    def all_indicators(self) -> dict[str, Indicator]:
        """The modules' indicators and those that come from data, by name."""
        found = dict(self.indicators)
        for source in self._all("indicator_sources"):
            for indicator in source():
                found.setdefault(indicator.name, indicator)
        return found


registry = Registry()


class ModuleConfig(AppConfig):
    """Base of every Zhengfa app: ``ready()`` registers the app's ``plugin.PLUGIN``."""

    # An apps.py imports the module, not this class: Django takes the one AppConfig
    # subclass it finds in apps.py as the app's configuration.

    def ready(self) -> None:
        registry.register(import_module(f"{self.name}.plugin").PLUGIN)
