from __future__ import annotations

import datetime as dt
import json
from unittest import mock

from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhengfa.core import jobs
from zhengfa.core.models import JobRun, Notification, SmsMessage
from zhengfa.core.notifications import notify, send_sms
from zhengfa.core.registry import registry
from zhengfa.core.tasks import deliver_sms
from zhengfa.core.testing import raw_database_text
from zhengfa.org.testing import PersonaTestCase


class NotificationTests(PersonaTestCase):
    def test_notify_once_per_key_after_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            notify(
                users=[self.p.leader_a, self.p.officer_a],
                title="新任务",
                url="/staff/tasks/",
                key="k1",
            )
        with self.captureOnCommitCallbacks(execute=True):
            notify(users=[self.p.leader_a], title="新任务", url="/staff/tasks/", key="k1")
        self.assertEqual(Notification.objects.count(), 2)

    def test_nothing_is_sent_when_the_transaction_rolls_back(self) -> None:
        try:
            with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
                notify(users=[self.p.leader_a], title="不该出现")
                raise RuntimeError
        except RuntimeError:
            pass
        self.assertFalse(Notification.objects.exists())

    def test_bell_list_and_mark_read(self) -> None:
        for i in range(3):
            Notification.objects.create(user=self.p.leader_a, title=f"通知{i}", url="/staff/")
        mine = Notification.objects.create(user=self.p.officer_b, title="别人的")
        client = self.client_for(self.p.leader_a)
        page = client.get(reverse("core:notification_list"))
        self.assertContains(page, '<span class="badge" aria-hidden="true">3</span>')
        self.assertContains(page, "通知2")
        self.assertNotContains(page, "别人的")
        first = Notification.objects.filter(user=self.p.leader_a).first()
        assert first is not None
        follow = client.post(reverse("core:notification_read"), {"id": first.pk, "follow": "1"})
        self.assertRedirects(follow, "/staff/", fetch_redirect_response=False)
        self.assertEqual(
            Notification.objects.filter(read_at__isnull=True, user=self.p.leader_a).count(), 2
        )
        self.assertEqual(
            client.post(reverse("core:notification_read"), {"id": mine.pk}).status_code, 404
        )
        client.post(reverse("core:notification_read"))
        self.assertFalse(
            Notification.objects.filter(read_at__isnull=True, user=self.p.leader_a).exists()
        )
        self.assertIsNone(Notification.objects.get(pk=mine.pk).read_at)
        self.assertEqual(client.get(reverse("core:notification_read")).status_code, 405)


@override_settings(SMS_BACKEND="zhengfa.core.sms.FileBackend")
class SmsTests(PersonaTestCase):
    def test_a_message_is_recorded_masked_and_sent_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            message = send_sms(to="139 0000 3333", text="您的意见已答复", purpose="test")
        message.refresh_from_db()
        self.assertEqual(
            (message.outcome, message.to_masked), (SmsMessage.Outcome.SENT, "139****3333")
        )
        self.assertNotIn("13900003333", raw_database_text())
        # The file backend wrote it where the settings say (a test's own folder).
        from pathlib import Path

        from django.conf import settings

        [written] = Path(settings.SMS_FILE_PATH).glob("sms-*.log")
        self.assertIn("13900003333", written.read_text(encoding="utf-8"))
        # Running the task again sends nothing more.
        self.assertEqual(deliver_sms.call(message.pk), "already handled")

    def test_a_bad_number_is_refused(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            send_sms(to="12345", text="x")
        self.assertFalse(SmsMessage.objects.exists())


class PeriodicJobTests(PersonaTestCase):
    def test_a_period_is_claimed_once(self) -> None:
        declared = [job.name for p in registry.plugins.values() for job in p.jobs]
        self.assertIn("notify_deadlines", declared)
        self.assertIn("clear_sessions", declared)
        morning = dt.datetime(2026, 3, 2, 10, tzinfo=timezone.get_current_timezone())
        with mock.patch("django.utils.timezone.now", return_value=morning):
            self.assertEqual(jobs.enqueue_due(), declared)
            self.assertEqual(jobs.enqueue_due(), [])
        self.assertEqual(JobRun.objects.count(), len(declared))

    def test_a_job_of_the_day_hours_does_not_run_at_night(self) -> None:
        night = dt.datetime(2026, 3, 2, 0, 30, tzinfo=timezone.get_current_timezone())
        with mock.patch("django.utils.timezone.now", return_value=night):
            started = jobs.enqueue_due()
        self.assertIn("notify_deadlines", started)
        self.assertNotIn("service_remind_appointments", started)
        period = jobs.hourly_between(9, 20)
        for hour, expected in ((8, ""), (9, "2026-03-02T09"), (20, "2026-03-02T20"), (21, "")):
            at = night.replace(hour=hour, minute=0)
            with mock.patch("django.utils.timezone.now", return_value=at):
                self.assertEqual(period(), expected)


class ShellTests(PersonaTestCase):
    def test_the_bell_says_how_many_unread_and_messages_are_announced(self) -> None:
        client = self.client_for(self.p.officer_a)
        with self.captureOnCommitCallbacks(execute=True):
            notify(users=[self.p.officer_a], title="一", key="one")
            notify(users=[self.p.officer_a], title="二", key="two")
        page = client.get(reverse("core:dashboard"))
        # The number is shown, and said in words to a screen reader (no label hides it).
        self.assertContains(page, '<span class="badge" aria-hidden="true">2</span>')
        self.assertContains(page, '<span class="visually-hidden">2条未读</span>')
        self.assertNotContains(page, 'class="bell" href="/staff/notifications/" aria-label')

    def test_the_pager_keeps_the_unread_choice(self) -> None:
        Notification.objects.bulk_create(
            [Notification(user=self.p.officer_a, title=f"通知{i}") for i in range(35)]
        )
        page = self.client_for(self.p.officer_a).get(
            reverse("core:notification_list"), {"unread": "1"}
        )
        self.assertContains(page, 'href="?unread=1&amp;page=2"')


CUT_OFF = 0  # a gateway status that stands for an answer broken off


class Gateway:
    """A text-message gateway on a local port that answers each POST with the next of
    `statuses` (the last one repeats), and keeps what it was sent."""

    def __init__(self, *statuses: int) -> None:
        import http.server
        import threading

        self.statuses = list(statuses)
        self.received: list[tuple[str, dict[str, str]]] = []
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((self.headers["Idempotency-Key"], json.loads(body)))
                status = (
                    gateway.statuses.pop(0) if len(gateway.statuses) > 1 else gateway.statuses[0]
                )
                if status == CUT_OFF:  # taken, but the answer breaks off halfway
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b'7\r\n{"id": ')
                    self.close_connection = True
                    return
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b'{"id": "gw-1"}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmsRetryTests(PersonaTestCase):
    def gateway(self, *statuses: int) -> Gateway:
        gateway = Gateway(*statuses)
        self.addCleanup(gateway.close)
        changed = override_settings(
            SMS_BACKEND="zhengfa.core.sms.HttpGatewayBackend", SMS_GATEWAY_URL=gateway.url
        )
        changed.enable()
        self.addCleanup(changed.disable)
        return gateway

    def send(self) -> SmsMessage:
        with self.captureOnCommitCallbacks(execute=True):
            message = send_sms(to="13900003333", text="您的查询码:{code}", secret="K7Q2")
        message.refresh_from_db()
        return message

    def next_try(self, message: SmsMessage) -> dt.datetime:
        assert message.retry_at is not None
        return message.retry_at

    def test_a_gateway_that_is_down_for_a_while_gets_the_message_later_under_one_key(
        self,
    ) -> None:
        from zhengfa.core.tasks import SMS_RETRY_AFTER, resend_stalled_sms

        gateway = self.gateway(503, 503, 200)
        message = self.send()
        # Refused for now: still queued, the code kept (encrypted), the next try set.
        self.assertEqual((message.outcome, message.attempts), (SmsMessage.Outcome.QUEUED, 1))
        self.assertEqual(message.secret, "K7Q2")
        self.assertIn("503", message.detail)
        self.assertAlmostEqual(
            self.next_try(message),
            timezone.now() + SMS_RETRY_AFTER[0],
            delta=dt.timedelta(seconds=5),
        )
        # Not before its time, whoever asks.
        self.assertEqual(deliver_sms.call(message.pk), "already handled")
        self.assertEqual(resend_stalled_sms.call(), "queued again 0")
        # The second try fails too and waits longer; the third is taken.
        later = self.next_try(message) + dt.timedelta(seconds=1)
        with mock.patch("zhengfa.core.tasks.timezone.now", return_value=later):
            self.assertEqual(deliver_sms.call(message.pk), "to be tried again")
        message.refresh_from_db()
        self.assertEqual(message.attempts, 2)
        self.assertAlmostEqual(
            self.next_try(message), later + SMS_RETRY_AFTER[1], delta=dt.timedelta(seconds=1)
        )
        # The queue lost that try: the hourly job finds it once it is overdue.
        overdue = self.next_try(message) + dt.timedelta(hours=1)
        with mock.patch("zhengfa.core.tasks.timezone.now", return_value=overdue):
            self.assertEqual(resend_stalled_sms.call(), "queued again 1")
        message.refresh_from_db()
        self.assertEqual((message.outcome, message.attempts), (SmsMessage.Outcome.SENT, 3))
        self.assertEqual((message.secret, message.retry_at, message.detail), ("", None, "gw-1"))
        keys = {key for key, _body in gateway.received}
        self.assertEqual(keys, {message.idempotency_key})  # three sendings, one message
        self.assertEqual(gateway.received[-1][1]["text"], "您的查询码:K7Q2")

    def test_a_gateway_that_stays_down_fails_the_message_after_the_last_try(self) -> None:
        from zhengfa.core.tasks import SMS_RETRY_AFTER

        gateway = self.gateway(503)
        gateway.close()  # nobody answers at all
        message = self.send()
        for _try in SMS_RETRY_AFTER:
            self.assertEqual(message.outcome, SmsMessage.Outcome.QUEUED)
            due = self.next_try(message) + dt.timedelta(seconds=1)
            with mock.patch("zhengfa.core.tasks.timezone.now", return_value=due):
                deliver_sms.call(message.pk)
            message.refresh_from_db()
        self.assertEqual(message.outcome, SmsMessage.Outcome.FAILED)
        self.assertEqual((message.attempts, message.secret), (len(SMS_RETRY_AFTER) + 1, ""))
        self.assertTrue(message.detail)

    def test_a_refusal_fails_the_message_at_once(self) -> None:
        gateway = self.gateway(400)
        message = self.send()
        self.assertEqual((message.outcome, message.attempts), (SmsMessage.Outcome.FAILED, 1))
        self.assertEqual((message.secret, message.retry_at), ("", None))
        self.assertIn("400", message.detail)
        self.assertEqual(len(gateway.received), 1)

    def test_an_answer_broken_off_is_tried_again_under_the_same_key(self) -> None:
        gateway = self.gateway(CUT_OFF, 200)
        message = self.send()
        self.assertEqual((message.outcome, message.attempts), (SmsMessage.Outcome.QUEUED, 1))
        self.assertIn("IncompleteRead", message.detail)
        with mock.patch(
            "zhengfa.core.tasks.timezone.now",
            return_value=self.next_try(message) + dt.timedelta(seconds=1),
        ):
            self.assertEqual(deliver_sms.call(message.pk), "sent")
        self.assertEqual({key for key, _body in gateway.received}, {message.idempotency_key})

    def test_a_backend_that_breaks_does_not_keep_a_text_waiting_for_ever(self) -> None:
        from zhengfa.core.tasks import SMS_RETRY_AFTER, resend_stalled_sms

        with mock.patch("zhengfa.core.sms.ConsoleBackend.send", side_effect=KeyError("bug")):
            message = self.send()
            self.assertEqual(message.outcome, SmsMessage.Outcome.QUEUED)  # tried again later
            for _try in SMS_RETRY_AFTER:
                due = self.next_try(message) + dt.timedelta(seconds=1)
                with mock.patch("zhengfa.core.tasks.timezone.now", return_value=due):
                    deliver_sms.call(message.pk)
                message.refresh_from_db()
        self.assertEqual((message.outcome, message.secret), (SmsMessage.Outcome.FAILED, ""))
        # And one whose every try ended with its worker's death is given up too.
        dying = self.send()
        stale = timezone.now() - dt.timedelta(hours=2)
        SmsMessage.objects.filter(pk=dying.pk).update(
            outcome=SmsMessage.Outcome.QUEUED,
            attempts=len(SMS_RETRY_AFTER) + 1,
            sent_at=stale,
            retry_at=None,
            secret="K7Q2",
        )
        self.assertEqual(resend_stalled_sms.call(), "queued again 1")
        dying.refresh_from_db()
        self.assertEqual((dying.outcome, dying.secret), (SmsMessage.Outcome.FAILED, ""))

    def test_a_text_whose_code_no_key_reads_fails_instead_of_waiting_for_ever(self) -> None:
        from django.db import connection

        from zhengfa.core.tasks import resend_stalled_sms

        # Queued, not yet sent (its task goes to the queue only when the test's transaction
        # commits, which it never does).
        message = send_sms(to="13900003333", text="您的查询码:{code}", secret="K7Q2")
        table = connection.ops.quote_name(SmsMessage._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET secret = 'gAAAAAnot-a-token' WHERE id = %s",  # noqa: S608
                [message.pk],
            )
        self.assertEqual(deliver_sms.call(message.pk), "failed")
        self.assertEqual(
            SmsMessage.objects.filter(pk=message.pk).values_list("outcome", "secret").get(),
            (SmsMessage.Outcome.FAILED, ""),
        )
        self.assertEqual(resend_stalled_sms.call(), "queued again 0")

    def test_a_worker_whose_claim_lapsed_does_not_overwrite_the_next_ones_outcome(self) -> None:
        from zhengfa.core.sms import SmsError

        def meanwhile(to: str, text: str, key: str) -> str:
            # The lease ran out while this worker waited; another sent it.
            SmsMessage.objects.all().update(
                outcome=SmsMessage.Outcome.SENT, claimed_by="another", detail="gw-2"
            )
            raise SmsError("HTTP 400 Bad Request")

        with mock.patch("zhengfa.core.sms.ConsoleBackend.send", side_effect=meanwhile):
            message = self.send()
        self.assertEqual((message.outcome, message.detail), (SmsMessage.Outcome.SENT, "gw-2"))

    def test_a_queue_that_can_wait_gets_the_next_try_for_its_time(self) -> None:
        from django_tasks import task_backends
        from django_tasks.backends.dummy import DummyBackend

        self.gateway(429)
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ):
            message = send_sms(to="13900003333", text="测试")
            self.assertEqual(deliver_sms.call(message.pk), "to be tried again")
            message.refresh_from_db()
            backend = task_backends["default"]
            assert isinstance(backend, DummyBackend)
            [queued] = backend.results
            self.assertEqual(queued.args, [message.pk])
            self.assertEqual(queued.task.run_after, message.retry_at)


@override_settings(SMS_BACKEND="zhengfa.core.sms.FileBackend")
class SmsExactlyOnceTests(PersonaTestCase):
    def test_a_message_whose_worker_died_is_sent_again_and_reaches_the_phone_once(self) -> None:
        import datetime as dt
        from pathlib import Path
        from unittest import mock

        from django.conf import settings
        from django.utils import timezone

        from zhengfa.core.sms import FileBackend
        from zhengfa.core.tasks import SMS_LEASE, resend_stalled_sms

        message = send_sms(to="13900004444", text="您的预约已确认")
        # The worker claims the message, hands it to the gateway and dies before it can
        # record that it was sent.
        FileBackend().send(message.to, message.text, message.idempotency_key)
        SmsMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())
        # Within the lease nobody sends it again.
        self.assertEqual(deliver_sms.call(message.pk), "already handled")
        later = timezone.now() + SMS_LEASE + dt.timedelta(minutes=1)
        # An hour on, the job queues it again (the test's task backend runs it at once):
        # the gateway gets it a second time, under the same key.
        with mock.patch("zhengfa.core.tasks.timezone.now", return_value=later):
            self.assertEqual(resend_stalled_sms.call(), "queued again 1")
        message.refresh_from_db()
        self.assertEqual(message.outcome, SmsMessage.Outcome.SENT)
        lines = [
            line
            for log in Path(settings.SMS_FILE_PATH).glob("sms-*.log")
            for line in log.read_text(encoding="utf-8").splitlines()
            if message.idempotency_key in line
        ]
        self.assertEqual(len(lines), 1)  # handed over twice, on the phone once


class IdempotencyKeyTests(PersonaTestCase):
    def test_a_key_names_one_message_of_one_site_even_when_numbers_come_again(self) -> None:
        made = timezone.now()
        message = SmsMessage(pk=5, created_at=made)
        self.assertEqual(message.idempotency_key, SmsMessage(pk=5, created_at=made).idempotency_key)
        # A restored backup gives out number 5 again, later: another key.
        later = SmsMessage(pk=5, created_at=made + dt.timedelta(microseconds=1))
        self.assertNotEqual(later.idempotency_key, message.idempotency_key)
        # Another county's site on the same gateway, with its own keys: another key.
        ours = message.idempotency_key
        with override_settings(FIELD_HASH_KEY="another-county"):
            self.assertNotEqual(SmsMessage(pk=5, created_at=made).idempotency_key, ours)
