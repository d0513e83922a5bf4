"""Generated input posted to every public and account form (``core.fuzz``): never a 5xx, and
a refused form saves nothing.

Which forms, from the registry where it says: every POST form on the pages of the services
the home page offers (``public_entries``) and on the pages they link to (the booking page
of a service, the questions of a press conference); the follow-up page's additions, rating
and steps for each kind of record that takes them (``followups``: ``supplement``, ``rate``,
``act``) and its "I am done"; and, listed here, the forms of no registry entry: signing in
and out, the second factor, the password, the language and large-type switches.
``test_every_public_form_is_fuzzed`` crawls the public pages and fails on a form that posts
anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from django.urls import reverse

from zhengfa.core import followup
from zhengfa.core.fuzz import Field, Target, fuzz, links, post_forms, url_name
from zhengfa.core.models import FollowUp
from zhengfa.core.registry import registry
from zhengfa.core.testing import public_form_fields
from zhengfa.org.models import User
from zhengfa.org.testing import DemoCountyTestCase, signed_in_client

# Forms that no registry entry leads to, each with who posts it (None: a citizen); the
# header's and footer's forms among them are fuzzed here once, not with every page.
ACCOUNT_FORMS = {
    "core:login": None,
    "core:logout": "pcs_a",
    "core:password_change": "pcs_a",
    "core:otp_verify": "zfw",  # signed in with the password, the authenticator not yet
    "core:otp_setup": "sysadmin",  # an administrator who has no authenticator yet
    "set_language": None,
    "portal:large_type": None,
}
# The follow-up page's forms, by the service of the record's module they call.
FOLLOWUP_FORMS = {
    "supplement": "portal:query_supplement",
    "rate": "portal:query_rate",
    "act": "portal:query_step",
}
# A failed sign-in or second factor is logged (core.signals): that is its purpose.
# A refused sign-in is logged, and a wrong second-factor code counts against the device
# (django-otp's throttle): both by design.
SIGN_IN_LOG = ("core_signinevent", "otp_totp_totpdevice")


def entry_names() -> list[str]:
    return sorted({e.url_name for e in registry.public_entries})


def followup_kinds() -> list[tuple[str, str]]:
    """(model label, service) of each kind of followed record that takes the service."""
    return sorted(
        (model._meta.label_lower, service)
        for model, view in registry.followups.items()
        for service in FOLLOWUP_FORMS
        if getattr(view, service) is not None
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


@override_settings(PROOF_OF_WORK_MAX=500)  # the puzzle is not under test: solved at once
class PublicFormsFuzz(DemoCountyTestCase):
    def page(self, client: Client, url: str) -> str:
        response = client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def pages_of_entry(self, name: str) -> Iterator[tuple[str, str]]:
        """(url, html) of an entry's page and of the first page of each kind it links to."""
        client = Client()
        url = reverse(name)
        html = self.page(client, url)
        yield url, html
        kinds: set[str] = set()
        for link in links(html, url):
            kind = url_name(link.split("?")[0])
            if kind and kind != name and kind not in kinds and not link.startswith("/staff/"):
                kinds.add(kind)
                response = client.get(link)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    yield link, response.content.decode()

    def fuzz_public(
        self, label: str, url: str, fields: list[Field], client: Client, **more: Any
    ) -> None:
        fixed = {}
        if any(f.name == "proof" for f in fields):
            fixed = public_form_fields(client, url)
        fuzz(Target(label=label, url=url, client=client, fields=fields, fixed=fixed, **more))

    def fuzz_entry(self, name: str) -> None:
        seen: set[str] = set()
        for url, html in self.pages_of_entry(name):
            for form in post_forms(html, url):
                target = url_name(form.action)
                # Another service's own form is fuzzed by that service's test.
                elsewhere = target in ACCOUNT_FORMS or (target in entry_names() and target != name)
                if elsewhere or form.action in seen:
                    continue
                seen.add(form.action)
                client = Client()
                client.get(url)
                self.fuzz_public(target, form.action, list(form.fields.values()), client)

    # --- the follow-up page -------------------------------------------------------------

    def record_for(self, model_label: str, service: str) -> Any:
        """A record of the kind that takes the service now (from the demo county)."""
        model = ContentType.objects.get_by_natural_key(*model_label.split(".")).model_class()
        assert model is not None
        view = registry.followups[model]
        for record in model._default_manager.order_by("-pk")[:300]:
            if service == "supplement" and view.is_open(record):
                return record
            if service == "rate" and view.may_rate(record):
                return record
            if service == "act" and self.steps_of(record):
                return record
        if service == "rate" and model_label == "supervision.report":
            # The demo's citizens rated every closed report: one is left unrated.
            closed = model._default_manager.filter(state="closed").order_by("pk").first()
            assert closed is not None
            model._default_manager.filter(pk=closed.pk).update(rated_at=None)
            closed.refresh_from_db()
            self.assertTrue(view.may_rate(closed))
            return closed
        if model_label == "testapp.case":  # core's own test module: not in the demo
            from zhengfa.core.tests.testapp.services import case_open
            from zhengfa.org.models import Unit

            record, _code = case_open(
                unit=Unit.objects.order_by("pk")[0],
                title="窗口无人",
                by=User.objects.get(username="zfw"),
                phone="13700002222",
            )
            return record
        self.fail(f"the demo county has no {model_label} that takes {service}")

    @staticmethod
    def steps_of(record: Any) -> list[Any]:
        from zhengfa.portal.views import citizen_steps

        return citizen_steps(record)

    def unlocked_client(self, record: Any) -> Client:
        client = Client()
        # A code is shown once and stored hashed: the demo's is unknown, so it gets a new one.
        FollowUp.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        ).delete()
        code = followup.issue(record)
        response = client.post(reverse("portal:query"), {"code": code})
        self.assertRedirects(response, reverse("portal:query_record"))
        return client

    def fuzz_followup(self, model_label: str, service: str) -> None:
        record = self.record_for(model_label, service)
        client = self.unlocked_client(record)
        page = reverse("portal:query_record")
        forms = {url_name(f.action): f for f in post_forms(self.page(client, page), page)}
        name = FOLLOWUP_FORMS[service]
        if service == "act":
            url = reverse(name, args=[self.steps_of(record)[0].name])
            found = next((f for f in forms.values() if f.action == url), None)
        else:
            url = reverse(name)
            found = forms.get(name)
        assert found is not None, f"the page of a {model_label} has no {name} form"
        label = f"{name} ({model_label})"
        self.fuzz_public(label, url, list(found.fields.values()), client)
        if service == "supplement":
            close = reverse("portal:query_close")
            self.fuzz_public(f"portal:query_close ({model_label})", close, [], client)

    # --- the forms of no entry -----------------------------------------------------------

    def fuzz_account_form(self, name: str) -> None:
        who = ACCOUNT_FORMS[name]
        user = User.objects.get(username=who) if who else None
        client = Client()
        if name in {"core:otp_verify", "core:otp_setup"}:
            # Signed in with the password alone; only the one to verify has an authenticator.
            from django_otp.plugins.otp_totp.models import TOTPDevice

            assert user is not None
            if name == "core:otp_verify":
                TOTPDevice.objects.create(user=user, name="fuzz", confirmed=True)
            else:
                TOTPDevice.objects.filter(user=user).delete()
            client.force_login(user)
        elif user is not None:
            client = signed_in_client(user)
        page = {"core:logout": "/staff/", "portal:large_type": "/", "set_language": "/"}.get(
            name, reverse(name)
        )
        response = client.get(page)
        self.assertEqual(response.status_code, 200, page)
        url = reverse(name)
        fields: list[Field] = []
        for form in post_forms(response.content.decode(), page):
            if form.action == url:
                fields = list(form.fields.values())
                break
        else:
            self.fail(f"{page} has no form posting to {url}")
        valid: dict[str, Any] = {}
        if name == "core:login":
            valid = {"username": "pcs_a", "password": settings.DEMO_PASSWORD}
        self.fuzz_public(name, url, fields, client, valid=valid, may_write=SIGN_IN_LOG)

    # --- nothing escapes ------------------------------------------------------------------

    def test_every_public_form_is_fuzzed(self) -> None:
        """Every POST form of the public pages posts to a URL one of these tests fuzzes."""
        fuzzed = set(ACCOUNT_FORMS) | set(FOLLOWUP_FORMS.values()) | {"portal:query_close"}
        pages = [("/", self.page(Client(), "/"))]
        pages.append((reverse("core:login"), self.page(Client(), reverse("core:login"))))
        for name in entry_names():
            found = list(self.pages_of_entry(name))
            pages += found
            fuzzed |= {url_name(f.action) for url, html in found for f in post_forms(html, url)}
        for model_label, service in followup_kinds():
            client = self.unlocked_client(self.record_for(model_label, service))
            page = reverse("portal:query_record")
            pages.append((page, self.page(client, page)))
        escaped = {
            f"{url} -> {form.action}"
            for url, html in pages
            for form in post_forms(html, url)
            if url_name(form.action) not in fuzzed
        }
        self.assertEqual(sorted(escaped), [])
        # The registry's services do offer forms: the crawl is not finding nothing.
        self.assertGreaterEqual(len(fuzzed - set(ACCOUNT_FORMS)), 8)


def _entry_test(name: str) -> Any:
    def test(self: PublicFormsFuzz) -> None:
        self.fuzz_entry(name)

    test.__doc__ = f"Generated input posted to every form of {name} and the pages it links to."
    return test


def _followup_test(model_label: str, service: str) -> Any:
    def test(self: PublicFormsFuzz) -> None:
        self.fuzz_followup(model_label, service)

    test.__doc__ = f"Generated input posted to the {service} form of a followed {model_label}."
    return test


def _account_test(name: str) -> Any:
    def test(self: PublicFormsFuzz) -> None:
        self.fuzz_account_form(name)

    test.__doc__ = f"Generated input posted to {name}."
    return test


for _name in entry_names():
    setattr(PublicFormsFuzz, f"test_fuzz_entry_{_slug(_name)}", _entry_test(_name))
for _model, _service in followup_kinds():
    setattr(
        PublicFormsFuzz, f"test_fuzz_{_service}_{_slug(_model)}", _followup_test(_model, _service)
    )
for _name in ACCOUNT_FORMS:
    setattr(PublicFormsFuzz, f"test_fuzz_{_slug(_name)}", _account_test(_name))
