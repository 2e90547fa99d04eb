"""Retention: only what each customer's settings say goes, in bounded batches, with a report row per run."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from privacy import services
from privacy.models import ErasureJob, RetentionRun
from tests.conftest import assert_problem
from tests.privacy.factories import RetentionRunFactory
from tests.tickets.factories import EndUserFactory, EndUserUIDFactory, TicketFactory, TicketMessageFactory
from tickets import services as ticket_services
from tickets.models import EndUser, Ticket, TicketMessageAttachment, TicketStatus
from voice.models import PhoneCall


def _closed(customer, days_ago, **extra):
    ticket = TicketFactory(customer=customer, status=TicketStatus.CLOSED)
    Ticket.objects.filter(pk=ticket.pk).update(close_date=timezone.now() - timedelta(days=days_ago), **extra)
    return ticket


def _call_with_recording(customer, days_ago):
    message = TicketMessageFactory(customer=customer)
    recording = ticket_services.attachment_store(message=message, content=b"ID3 audio", file_name="call.mp3")
    call = PhoneCall.objects.create(
        customer=customer, call_sid=f"CA{message.pk}", ticket=message.ticket, recording=recording
    )
    PhoneCall.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return call


def _idle_end_user(customer, days_ago, uid=None):
    end_user = EndUserFactory(customer=customer)
    if uid:
        EndUserUIDFactory(customer=customer, end_user=end_user, uid=uid)
    EndUser.objects.filter(pk=end_user.pk).update(updated_at=timezone.now() - timedelta(days=days_ago))
    return end_user


@pytest.fixture
def retention_world(customer, other_customer, django_capture_on_commit_callbacks):
    customer.retention_closed_tickets_days = 30
    customer.retention_recordings_days = 10
    customer.retention_end_users_days = 60
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        world = {
            "old_closed": _closed(customer, 40),
            "new_closed": _closed(customer, 5),
            "held_closed": _closed(customer, 40, legal_hold=True),
            "old_open": TicketFactory(customer=customer),
            "foreign_closed": _closed(other_customer, 400),
            "old_call": _call_with_recording(customer, 20),
            "new_call": _call_with_recording(customer, 2),
            "foreign_call": _call_with_recording(other_customer, 400),
            "idle": _idle_end_user(customer, 90, uid="idle@example.be"),
            "recent": _idle_end_user(customer, 10),
            "foreign_idle": _idle_end_user(other_customer, 900),
        }
        busy = _idle_end_user(customer, 90, uid="busy@example.be")
        TicketFactory(customer=customer, end_user=None, uid="busy@example.be")  # theirs by UID: they have a ticket
        world["busy"] = busy
        Ticket.objects.filter(pk=world["old_open"].pk).update(created_at=timezone.now() - timedelta(days=400))
    return world


@pytest.mark.django_db
def test_retention_deletes_only_what_the_settings_say(customer, retention_world, django_capture_on_commit_callbacks):
    world = retention_world
    with django_capture_on_commit_callbacks(execute=True):
        run = services.retention_run(customer_id=customer.pk, commit=True)

    assert run.counts == {"closedTickets": 1, "recordings": 1, "endUsers": 1} and run.complete
    assert run.settings == {"closedTickets": 30, "recordings": 10, "endUsers": 60, "closedTicketsByChannel": {}}
    assert not run.dry_run
    remaining = set(Ticket.objects.values_list("pk", flat=True))
    assert world["old_closed"].pk not in remaining
    assert {
        world["new_closed"].pk,
        world["held_closed"].pk,
        world["old_open"].pk,
        world["foreign_closed"].pk,
    } <= remaining
    world["old_call"].refresh_from_db()
    assert (
        world["old_call"].recording_id is None
        and not TicketMessageAttachment.objects.filter(
            file_name="call.mp3", message__ticket=world["old_call"].ticket
        ).exists()
    )
    assert PhoneCall.objects.get(pk=world["new_call"].pk).recording_id is not None
    assert PhoneCall.objects.get(pk=world["foreign_call"].pk).recording_id is not None
    assert not EndUser.objects.filter(pk=world["idle"].pk).exists()
    assert EndUser.objects.filter(pk__in=[world["recent"].pk, world["busy"].pk, world["foreign_idle"].pk]).count() == 3
    receipt = ErasureJob.objects.get(end_user_id=world["idle"].pk)
    assert receipt.actor == "retention" and receipt.state == "Done"
    assert receipt.uid_hashes == [services.uid_hash(customer_id=customer.pk, uid="idle@example.be")]


@pytest.mark.django_db
def test_dry_run_counts_and_keeps_everything(customer, retention_world):
    tickets, end_users = Ticket.objects.count(), EndUser.objects.count()

    run = services.retention_run(customer_id=customer.pk, commit=False)

    assert run.dry_run and run.counts == {"closedTickets": 1, "recordings": 1, "endUsers": 1}
    assert Ticket.objects.count() == tickets and EndUser.objects.count() == end_users
    assert PhoneCall.objects.filter(recording__isnull=False).count() == 3


@pytest.mark.django_db
def test_null_settings_keep_forever(other_customer, retention_world):
    run = services.retention_run(customer_id=other_customer.pk, commit=True)

    assert run.counts == {} and run.complete
    assert Ticket.objects.filter(pk=retention_world["foreign_closed"].pk).exists()
    assert services.retention_customers() == [retention_world["old_closed"].customer_id]


@pytest.mark.django_db
def test_batches_are_bounded_and_the_rest_waits(customer, django_capture_on_commit_callbacks):
    customer.retention_closed_tickets_days = 1
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        tickets = [_closed(customer, 5) for _ in range(3)]
        first = services.retention_run(customer_id=customer.pk, commit=True, batch_size=1, max_batches=2)
    assert first.counts == {"closedTickets": 2} and not first.complete
    assert Ticket.objects.filter(pk__in=[t.pk for t in tickets]).count() == 1
    second = services.retention_run(customer_id=customer.pk, commit=True, batch_size=1, max_batches=2)
    assert second.counts == {"closedTickets": 1} and second.complete
    assert RetentionRun.objects.filter(customer=customer).count() == 2


@pytest.mark.django_db
def test_command_dry_run_and_commit(customer, retention_world, capsys, django_capture_on_commit_callbacks):
    call_command("retention_run", "--all-customers")
    out = capsys.readouterr().out
    assert "closedTickets 1" in out and "dry run" in out
    assert Ticket.objects.filter(pk=retention_world["old_closed"].pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_run", "--customer", str(customer.pk), "--commit")
    out = capsys.readouterr().out
    assert "Removed for 1 customer(s): closedTickets 1, endUsers 1, recordings 1." in out
    assert not Ticket.objects.filter(pk=retention_world["old_closed"].pk).exists()


def test_beat_runs_retention_daily_on_the_default_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention-daily"]
    assert entry["task"] == "privacy.retention_enqueue_all" and entry["options"]["queue"] == "default"
    assert entry["schedule"] == timedelta(days=1)


@pytest.mark.django_db
def test_retention_settings_through_the_customer_settings_route(admin_client, rep_client, anon_client, customer):
    body = {"retentionClosedTicketsDays": 365, "retentionRecordingsDays": 90, "retentionEndUsersDays": None}
    assert admin_client.put("/api/Customers/me", body, format="json").status_code == 204
    customer.refresh_from_db()
    assert (customer.retention_closed_tickets_days, customer.retention_recordings_days) == (365, 90)
    shown = admin_client.get("/api/Customers/me").json()
    assert shown["retentionClosedTicketsDays"] == 365 and shown["retentionEndUsersDays"] is None
    assert_problem(admin_client.put("/api/Customers/me", {"retentionRecordingsDays": 0}, format="json"), 400)
    assert anon_client.put("/api/Customers/me", body, format="json").status_code == 401
    assert_problem(rep_client.put("/api/Customers/me", body, format="json"), 403)


@pytest.mark.django_db
def test_retention_runs_route(admin_client, rep_client, anon_client, customer, other_customer):
    mine = RetentionRunFactory(customer=customer)
    foreign = RetentionRunFactory(customer=other_customer)
    listed = admin_client.get("/api/RetentionRuns")
    assert listed.status_code == 200 and [row["retentionRunID"] for row in listed.json()["items"]] == [mine.pk]
    assert admin_client.get(f"/api/RetentionRuns/{mine.pk}").json()["counts"] == {"closedTickets": 0}
    assert_problem(admin_client.get("/api/RetentionRuns?dryRun=perhaps"), 400)
    assert anon_client.get("/api/RetentionRuns").status_code == 401
    assert_problem(rep_client.get("/api/RetentionRuns"), 403)
    assert_problem(admin_client.get(f"/api/RetentionRuns/{foreign.pk}"), 404)


@pytest.mark.django_db
def test_a_channel_setting_replaces_the_customers_for_its_tickets(
    admin_client, customer, django_capture_on_commit_callbacks
):
    from tests.channels_cfg.factories import ChannelFactory

    customer.retention_closed_tickets_days = 30
    customer.save()
    strict, lenient, plain = (ChannelFactory(customer=customer) for _ in range(3))
    for channel, days in ((strict, 5), (lenient, 100)):
        body = admin_client.get(f"/api/Channels/{channel.pk}").json()
        body["retentionClosedTicketsDays"] = days
        assert admin_client.put(f"/api/Channels/{channel.pk}", body, format="json").status_code == 200
    body = admin_client.get(f"/api/Channels/{strict.pk}").json()
    assert body["retentionClosedTicketsDays"] == 5
    assert_problem(
        admin_client.put(f"/api/Channels/{strict.pk}", {**body, "retentionClosedTicketsDays": -1}, format="json"), 400
    )

    def closed(channel, days_ago):
        ticket = TicketFactory(customer=customer, channel=channel, status=TicketStatus.CLOSED)
        Ticket.objects.filter(pk=ticket.pk).update(close_date=timezone.now() - timedelta(days=days_ago))
        return ticket.pk

    with django_capture_on_commit_callbacks(execute=True):
        gone = {closed(strict, 10), closed(lenient, 120), closed(plain, 40)}
        kept = {closed(strict, 2), closed(lenient, 40), closed(plain, 20)}
        run = services.retention_run(customer_id=customer.pk, commit=True)

    assert run.counts["closedTickets"] == 3
    assert run.settings["closedTicketsByChannel"] == {str(strict.pk): 5, str(lenient.pk): 100}
    remaining = set(Ticket.objects.values_list("pk", flat=True))
    assert kept <= remaining and not gone & remaining


@pytest.mark.django_db
def test_a_channel_setting_alone_brings_its_customer_into_the_daily_run(customer, other_customer):
    from tests.channels_cfg.factories import ChannelFactory

    ChannelFactory(customer=other_customer, retention_closed_tickets_days=7)
    assert services.retention_customers() == [other_customer.pk]


@pytest.mark.django_db
def test_privacy_lists_pin_their_queries(admin_client, customer, django_assert_num_queries):
    from tests.privacy.factories import ErasureJobFactory

    for _ in range(5):
        RetentionRunFactory(customer=customer)
        ErasureJobFactory(customer=customer)
    with django_assert_num_queries(3):
        assert len(admin_client.get("/api/RetentionRuns").json()["items"]) == 5
    with django_assert_num_queries(3):
        assert len(admin_client.get("/api/ErasureJobs").json()["items"]) == 5
