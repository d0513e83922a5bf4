from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, TestCase
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengfa.core.models import SignInEvent
from zhengfa.core.testing import raw_database_text
from zhengfa.org import services
from zhengfa.org.access import Role
from zhengfa.org.models import Unit, User
from zhengfa.org.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def secret_of(page: Any) -> str:
    import re

    found = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.content.decode())
    assert found is not None
    return found.group(1)


def current_code(page: Any) -> str:
    """The code an authenticator app would show now for the secret on the setup page."""
    import base64

    secret = secret_of(page)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


class SignInTests(TestCase):
    root: Unit
    user: User
    admin: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = services.unit_create(
            name="测试县委政法委", code="ZFW", kind="committee", parent=None
        )
        cls.user = services.user_create(username="zfw", name="政法委甲", password=PASSWORD)
        services.role_assign(user=cls.user, role=Role.COMMITTEE, unit=cls.root)
        cls.admin = services.user_create(username="sysadmin", name="管理员", password=PASSWORD)
        services.role_assign(user=cls.admin, role=Role.SYSADMIN, unit=cls.root)

    def test_passwords_are_hashed_with_argon2(self) -> None:
        self.user.refresh_from_db()
        self.assertEqual(identify_hasher(self.user.password).algorithm, "argon2")

    def test_sign_in_is_audited(self) -> None:
        response = sign_in(self.client, "zfw", PASSWORD)
        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
        event = SignInEvent.objects.get(kind=SignInEvent.Kind.LOGIN)
        self.assertEqual((event.user, event.username), (self.user, "zfw"))

    def test_failed_sign_in_is_audited_and_explained(self) -> None:
        response = sign_in(self.client, "zfw", "wrong-password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请输入一个正确的")  # Django's own Chinese message
        event = SignInEvent.objects.get(kind=SignInEvent.Kind.FAILURE)
        self.assertEqual((event.user, event.username), (None, "zfw"))
        self.assertFalse(event.succeeded)

    def test_a_name_that_is_no_account_is_kept_masked(self) -> None:
        # A password typed into the user-name field must not show on the audit page.
        sign_in(self.client, "Kangbao#2021", "zfw")
        event = SignInEvent.objects.get(kind=SignInEvent.Kind.FAILURE)
        self.assertRegex(event.username, r"^\?[0-9a-f]{12}$")
        self.assertNotIn("Kangbao#2021", raw_database_text())
        # Unknown names count apart: five tries at one lock no other (which would tell a
        # prober that the other name, answering differently, exists).
        for _ in range(5):
            sign_in(Client(), "Kangbao#2020", "x")
        self.assertEqual(sign_in(Client(), "Kangbao#2021", "x").status_code, 200)
        self.assertEqual(sign_in(Client(), "Kangbao#2020", "x").status_code, 429)

    def test_five_failures_lock_the_account_for_thirty_minutes(self) -> None:
        for _ in range(4):
            self.assertEqual(sign_in(self.client, "zfw", "wrong-password").status_code, 200)
        locked = sign_in(self.client, "zfw", "wrong-password")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "账号已锁定", status_code=429)
        # Even the right password is refused now, from any client.
        again = sign_in(Client(), "zfw", PASSWORD)
        self.assertEqual(again.status_code, 429)
        self.assertNotIn("_auth_user_id", Client().session)
        self.assertTrue(SignInEvent.objects.filter(kind=SignInEvent.Kind.LOCKED).exists())
        # Another account is not locked.
        self.assertEqual(sign_in(Client(), "sysadmin", PASSWORD).status_code, 302)
        # Twenty-nine minutes later it still is; after thirty the right password works.
        from axes.models import AccessAttempt

        attempts = AccessAttempt.objects.filter(username="zfw")
        attempts.update(attempt_time=timezone.now() - dt.timedelta(minutes=29))
        self.assertEqual(sign_in(Client(), "zfw", PASSWORD).status_code, 429)
        attempts.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
        self.assertEqual(sign_in(Client(), "zfw", PASSWORD).status_code, 302)

    def test_idle_session_ends_after_thirty_minutes(self) -> None:
        from unittest import mock

        from django.contrib.sessions.models import Session

        sign_in(self.client, "zfw", PASSWORD)
        stored = Session.objects.get(session_key=self.client.session.session_key)
        started = timezone.now()

        def at(minutes: float) -> Any:
            return mock.patch(
                "django.utils.timezone.now", return_value=started + dt.timedelta(minutes=minutes)
            )

        # Half a minute short of the end, any page pushes the end 30 minutes out again (the
        # session is read from the cache, which keeps its end beside it).
        with at(29.5):
            self.assertEqual(self.client.get("/staff/").status_code, 200)
        pushed = Session.objects.get(pk=stored.pk).expire_date
        self.assertAlmostEqual((pushed - started).total_seconds(), (29.5 + 30) * 60, delta=60)
        # Within the first minute of it, a page writes nothing: the end stays where it is.
        with at(29.9):
            self.assertEqual(self.client.get("/staff/").status_code, 200)
        self.assertEqual(Session.objects.get(pk=stored.pk).expire_date, pushed)
        # Idle past its end, the session is gone: the next page asks to sign in again.
        with at(29.5 + 31):
            response = self.client.get("/staff/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_sysadmin_must_enrol_and_use_totp(self) -> None:
        sign_in(self.client, "sysadmin", PASSWORD)
        response = self.client.get("/staff/audit/")
        self.assertRedirects(response, "/accounts/2fa/setup/", fetch_redirect_response=False)
        page = self.client.get("/accounts/2fa/setup/")
        self.assertContains(page, "data:image/svg+xml")
        self.assertFalse(TOTPDevice.objects.exists())  # nothing stored until confirmed
        bad = self.client.post("/accounts/2fa/setup/", {"token": "000000"})
        self.assertContains(bad, "验证码不正确")
        ok = self.client.post("/accounts/2fa/setup/", {"token": current_code(page)})
        self.assertRedirects(ok, "/staff/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staff/audit/").status_code, 200)
        device = TOTPDevice.objects.get(user=self.admin)
        self.assertTrue(device.confirmed)
        # Enrolling is in the audit log, by the person, without the secret.
        entry = LogEntry.objects.get_for_object(device).get(action=LogEntry.Action.CREATE)
        self.assertEqual(entry.actor, self.admin)
        self.assertNotIn(device.key, str(entry.changes))

        # The next sign-in asks for a code before any page.
        other = Client()
        sign_in(other, "sysadmin", PASSWORD)
        response = other.get("/staff/audit/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/2fa/?next="))
        wrong = other.post("/accounts/2fa/", {"token": "123456", "next": "/staff/audit/"})
        self.assertContains(wrong, "验证码不正确")
        self.assertTrue(SignInEvent.objects.filter(kind=SignInEvent.Kind.OTP_FAILURE).exists())

    def test_a_next_that_is_no_path_of_the_site_goes_to_the_workbench(self) -> None:
        # Found by fuzzing: a word was taken for a view's name by redirect(), and a line
        # break cannot go into a header; both answered 500.
        sign_in(self.client, "sysadmin", PASSWORD)
        page = self.client.get("/accounts/2fa/setup/")
        self.client.post("/accounts/2fa/setup/", {"token": current_code(page)})
        for bad in ("ü", "staff", "/staff/\naudit/", "https://evil.example/"):
            response = self.client.post("/accounts/2fa/", {"token": "1", "next": bad})
            self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
        response = self.client.post("/accounts/2fa/", {"next": "/staff/audit/"})
        self.assertRedirects(response, "/staff/audit/", fetch_redirect_response=False)

    def test_an_enrolled_account_cannot_enrol_again_with_the_password_alone(self) -> None:
        # The administrator enrolled; someone who has only his password signs in.
        first = Client()
        sign_in(first, "sysadmin", PASSWORD)
        page = first.get("/accounts/2fa/setup/")
        first.post("/accounts/2fa/setup/", {"token": current_code(page)})
        intruder = Client()
        sign_in(intruder, "sysadmin", PASSWORD)
        setup = intruder.get("/accounts/2fa/setup/")
        self.assertRedirects(setup, "/accounts/2fa/", fetch_redirect_response=False)
        again = intruder.post("/accounts/2fa/setup/", {"token": "123456"})
        self.assertRedirects(again, "/accounts/2fa/", fetch_redirect_response=False)
        self.assertEqual(TOTPDevice.objects.filter(user=self.admin).count(), 1)
        self.assertEqual(intruder.get("/staff/audit/").status_code, 302)

    def test_a_session_open_before_enrolment_must_verify_on_its_next_page(self) -> None:
        # Whether an account has an authenticator is kept in the cache: enrolling in one
        # browser must reach the session already open in another at once.
        zfw = User.objects.get(username="zfw")
        earlier = Client()
        sign_in(earlier, "zfw", PASSWORD)
        self.assertEqual(earlier.get("/staff/").status_code, 200)
        TOTPDevice.objects.create(user=zfw, name="phone", confirmed=True)
        response = earlier.get("/staff/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/2fa/", response["Location"])

    def test_the_enrolling_code_does_not_sign_in_again(self) -> None:
        first = Client()
        sign_in(first, "sysadmin", PASSWORD)
        page = first.get("/accounts/2fa/setup/")
        code = current_code(page)
        first.post("/accounts/2fa/setup/", {"token": code})
        second = Client()
        sign_in(second, "sysadmin", PASSWORD)
        replay = second.post("/accounts/2fa/", {"token": code, "next": "/staff/audit/"})
        self.assertEqual(replay.status_code, 200)
        self.assertContains(replay, "验证码不正确")

    def test_the_secret_belongs_to_one_session(self) -> None:
        mine, theirs = Client(), Client()
        sign_in(mine, "sysadmin", PASSWORD)
        sign_in(theirs, "sysadmin", PASSWORD)
        my_page = mine.get("/accounts/2fa/setup/")
        their_page = theirs.get("/accounts/2fa/setup/")
        self.assertNotEqual(secret_of(my_page), secret_of(their_page))
        # A code of the other session's secret does not enrol this one.
        refused = mine.post("/accounts/2fa/setup/", {"token": current_code(their_page)})
        self.assertEqual(refused.status_code, 200)
        self.assertFalse(TOTPDevice.objects.exists())

    def test_two_factor_is_optional_for_other_roles(self) -> None:
        sign_in(self.client, "zfw", PASSWORD)
        self.assertEqual(self.client.get("/staff/").status_code, 200)
        self.assertEqual(self.client.get("/accounts/2fa/setup/").status_code, 200)

    def test_sign_out_is_audited(self) -> None:
        sign_in(self.client, "zfw", PASSWORD)
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        self.client.post("/accounts/logout/")
        self.assertTrue(SignInEvent.objects.filter(kind=SignInEvent.Kind.LOGOUT).exists())

    def test_staff_pages_need_sign_in(self) -> None:
        response = self.client.get("/staff/org/officers/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY", "DATABASE_URL", "CACHE_URL"}
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); print('started');"
            "from django.contrib.auth.hashers import make_password;"
            "print(make_password('Kangbao#2021').split('$')[:4]);"
            "from django.conf import settings; print('hsts', settings.SECURE_HSTS_SECONDS)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "zhengfa.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_the_default_secret() -> None:
    result = run_settings(ZHENGFA_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "refuses to start" in result.stderr


def test_production_refuses_the_default_field_key() -> None:
    result = run_settings(ZHENGFA_ENV="production", SECRET_KEY="s" * 50, FIELD_HASH_KEY="h" * 40)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_production_starts_with_real_secrets(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("x" * 50)
    result = run_settings(
        ZHENGFA_ENV="production",
        SECRET_KEY_FILE=str(secret),
        FIELD_ENCRYPTION_KEY="k" * 40,
        FIELD_HASH_KEY="h" * 40,
        ALLOWED_HOSTS="zf.example",
        CACHE_URL="dbcache://zhengfa_cache",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
    # Outside tests, passwords are stored with Argon2id at its full cost (100 MB of memory);
    # tests use a cheaper Argon2 (settings: ZHENGFA_ENV=test).
    assert "['argon2', 'argon2id', 'v=19', 'm=102400,t=2,p=8']" in result.stdout
    # Browsers are told to keep to HTTPS for a year.
    assert "hsts 31536000" in result.stdout


def test_production_refuses_a_cache_of_its_own_per_process() -> None:
    real = {
        "ZHENGFA_ENV": "production",
        "SECRET_KEY": "s" * 50,
        "FIELD_ENCRYPTION_KEY": "k" * 40,
        "FIELD_HASH_KEY": "h" * 40,
    }
    for cache in ("", "locmemcache://", "dummycache://"):
        result = run_settings(**real, CACHE_URL=cache) if cache else run_settings(**real)
        assert result.returncode != 0, cache
        assert "CACHE_URL" in result.stderr and "refuses to start" in result.stderr


def test_bad_environment_value_fails_loudly() -> None:
    result = run_settings(ZHENGFA_ENV="staging")
    assert result.returncode != 0 and "ZHENGFA_ENV" in result.stderr


def test_a_production_without_trusted_proxies_is_warned() -> None:
    from django.test import override_settings

    from zhengfa.core.checks import trusted_proxies

    with override_settings(PRODUCTION=True, TRUSTED_PROXIES=[]):
        [warning] = trusted_proxies(None)
    assert warning.id == "zhengfa.W001"
    with override_settings(PRODUCTION=True, TRUSTED_PROXIES=["127.0.0.1"]):
        assert trusted_proxies(None) == []
    with override_settings(PRODUCTION=False, TRUSTED_PROXIES=[]):
        assert trusted_proxies(None) == []
