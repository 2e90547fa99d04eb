"""Erasure: a person seeded across every channel and app leaves no identifier in any table or stored file, the
tenant's cost totals stay the same, counters are recounted, and the receipt holds no personal data."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from ai.providers import topics as topic_matching
from billing.models import CostEntry, StorageUsage
from billing.storage import storage_measure
from places.models import PlaceDescriptionReport, PlaceDescriptionRoomPhoto
from privacy import services
from privacy.models import ErasureJob, ErasureState
from tests.conftest import assert_problem
from tests.privacy.scan import database_hits, storage_hits, stored_paths
from tests.privacy.seed import EMAIL, IDENTIFIERS, PHONE, seed_person
from tickets.models import EndUser, Ticket, TicketCounter, TicketMessage


def _cost_total(customer):
    return CostEntry.objects.filter(customer=customer).aggregate(total=Sum("amount"))["total"]


@pytest.mark.django_db
def test_erasure_leaves_no_identifier_in_any_table_or_file(
    admin_client, admin_rep, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    assert len(database_hits(IDENTIFIERS)) > 20  # the scanner sees the seeded data before the erasure
    assert storage_hits(IDENTIFIERS)
    before_files = stored_paths()
    cost_total, cost_rows = _cost_total(customer), CostEntry.objects.filter(customer=customer).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/EndUsers/{seeded.end_user.pk}/erase", {}, format="json")

    assert response.status_code == 202, response.content
    job = admin_client.get(f"/api/ErasureJobs/{response.json()['erasureJobID']}").json()
    assert job["state"] == "Done" and job["progress"] == 100  # the task ran eagerly once the request committed
    assert database_hits(IDENTIFIERS) == []
    assert storage_hits(IDENTIFIERS) == []
    assert _cost_total(customer) == cost_total and CostEntry.objects.filter(customer=customer).count() == cost_rows
    assert not EndUser.objects.filter(pk=seeded.end_user.pk).exists()
    assert not Ticket.objects.filter(pk__in=seeded.ticket_ids).exists()
    assert not TicketMessage.objects.filter(pk__in=seeded.message_ids).exists()
    assert topic_matching._vectors == {}
    # what is not theirs stays: the bystander, their ticket and cost row, the report and its other photo
    assert Ticket.objects.filter(pk=seeded.bystander_ticket_id, end_user=seeded.bystander).exists()
    assert CostEntry.objects.filter(customer=customer, message_id__isnull=False).count() == 1
    report = PlaceDescriptionReport.objects.get(pk=seeded.report_id)
    assert report.tenants == "[erased] en An Janssens" and report.landlords == "Jan Peeters"
    assert list(PlaceDescriptionRoomPhoto.objects.filter(room__report=report).values_list("caption", flat=True)) == [
        "Plafond"
    ]
    assert len(before_files - stored_paths()) == 2 + 3 + 1  # attachment + recording, one photo's 3 files, chunk
    usage = StorageUsage.objects.get(customer=customer)  # the running byte counts match what is stored
    measured = storage_measure(customer_id=customer.pk)
    assert (usage.attachments_bytes, usage.photos_bytes) == (measured["attachments"], measured["photos"])
    assert usage.recordings_bytes == measured["recordings"] == 0
    assert usage.photos_bytes > 0  # the other photo of the report is still counted
    counters = sum(TicketCounter.objects.filter(customer=customer).values_list("count", flat=True))
    assert counters == Ticket.objects.filter(customer=customer).count() == 1

    receipt = ErasureJob.objects.get(pk=job["erasureJobID"])
    assert receipt.state == ErasureState.DONE and receipt.actor_rep_id == admin_rep.pk
    assert receipt.uid_hashes == sorted(
        services.uid_hash(customer_id=customer.pk, uid=uid)
        for uid in (EMAIL, PHONE, f"whatsapp:{PHONE}", "webchat-visitor-qx7-2f9a")
    )
    assert receipt.counts["tickets"] == 4 and receipt.counts["messages"] == 5
    assert receipt.counts["attachments"] == 2 and receipt.counts["phoneCalls"] == 1
    assert receipt.counts["costEntries"] == 4 and receipt.counts["placePhotos"] == 1
    assert receipt.counts["endUsers"] == 1 and receipt.counts["uids"] == 4

    job_view = admin_client.get(f"/api/ErasureJobs/{receipt.pk}")
    assert job_view.status_code == 200 and job_view.json()["counts"] == receipt.counts


@pytest.mark.django_db
def test_dry_run_counts_and_changes_nothing(admin_client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    hits = len(database_hits(IDENTIFIERS))

    response = admin_client.post(f"/api/EndUsers/{seeded.end_user.pk}/erase", {"dryRun": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["dryRun"] is True
    assert body["counts"]["tickets"] == 4 and body["counts"]["messages"] == 5 and body["counts"]["phoneCalls"] == 1
    assert body["counts"]["placeReports"] == 1 and body["counts"]["placePhotos"] == 1
    assert len(database_hits(IDENTIFIERS)) == hits
    assert not ErasureJob.objects.exists()


@pytest.mark.django_db
def test_legal_hold_refuses_erasure_with_409(admin_client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    held = admin_client.put(f"/api/Tickets/{seeded.ticket_ids[0]}/legalHold", {"legalHold": True}, format="json")
    assert held.status_code == 200 and held.json()["legalHold"] is True

    response = admin_client.post(f"/api/EndUsers/{seeded.end_user.pk}/erase", {}, format="json")

    assert_problem(response, 409, "LegalHold")
    assert EndUser.objects.filter(pk=seeded.end_user.pk).exists() and not ErasureJob.objects.exists()
    assert_problem(
        admin_client.post(f"/api/EndUsers/{seeded.end_user.pk}/erase", {"dryRun": True}, format="json"),
        409,
        "LegalHold",
    )


@pytest.mark.django_db
def test_a_hold_set_after_queuing_refuses_the_job(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    job = services.enduser_erase(customer_id=customer.pk, end_user_id=seeded.end_user.pk, enqueue=False)
    Ticket.objects.filter(pk=seeded.ticket_ids[1]).update(legal_hold=True)

    job = services.erasure_job_run(job_id=job.pk)

    assert job.state == ErasureState.REFUSED and job.error_code == "LegalHold"
    assert Ticket.objects.filter(pk__in=seeded.ticket_ids).count() == 4


@pytest.mark.django_db
def test_an_interrupted_job_resumes_and_counts_once(customer, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    job = services.enduser_erase(customer_id=customer.pk, end_user_id=seeded.end_user.pk, enqueue=False)
    original = services._erase_step

    def crash_at_end_user(job, person, step):
        if step == "end_user":
            raise RuntimeError("worker lost")
        return original(job, person, step)

    monkeypatch.setattr(services, "_erase_step", crash_at_end_user)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.erasure_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ErasureState.RUNNING and job.step == "messages" and 0 < job.progress < 100
    assert not Ticket.objects.filter(pk__in=seeded.ticket_ids).exists()

    monkeypatch.setattr(services, "_erase_step", original)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.erasure_job_run(job_id=job.pk)
        again = services.erasure_job_run(job_id=job.pk)

    assert job.state == again.state == ErasureState.DONE
    assert job.counts["tickets"] == 4 and job.counts["endUsers"] == 1
    assert database_hits(IDENTIFIERS) == []


@pytest.mark.django_db
def test_command_dry_run_then_commit(customer, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)

    call_command("enduser_erase", "--customer", str(customer.pk), "--uid", EMAIL)
    dry = capsys.readouterr().out
    assert "tickets: 4" in dry and "Dry run" in dry
    assert EndUser.objects.filter(pk=seeded.end_user.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("enduser_erase", "--customer", str(customer.pk), "--uid", EMAIL, "--commit")
    assert "Erased end user" in capsys.readouterr().out
    assert database_hits(IDENTIFIERS) == []
    assert ErasureJob.objects.get().actor == "command"


@pytest.mark.django_db
def test_erase_route_validation_roles_and_tenancy(admin_client, rep_client, anon_client, other_admin_client, customer):
    from tests.tickets.factories import EndUserFactory

    end_user = EndUserFactory(customer=customer)
    path = f"/api/EndUsers/{end_user.pk}/erase"
    assert_problem(admin_client.post(path, {"dryRun": "maybe"}, format="json"), 400)
    assert anon_client.post(path, {}, format="json").status_code == 401
    assert_problem(rep_client.post(path, {}, format="json"), 403)
    assert_problem(other_admin_client.post(path, {}, format="json"), 404)
    assert EndUser.objects.filter(pk=end_user.pk).exists()


@pytest.mark.django_db
def test_erasure_jobs_list_validation_roles_and_tenancy(
    admin_client, rep_client, anon_client, customer, other_customer
):
    from tests.privacy.factories import ErasureJobFactory

    mine = ErasureJobFactory(customer=customer)
    foreign = ErasureJobFactory(customer=other_customer)
    listed = admin_client.get("/api/ErasureJobs")
    assert listed.status_code == 200
    assert [row["erasureJobID"] for row in listed.json()["items"]] == [mine.pk]
    assert_problem(admin_client.get("/api/ErasureJobs?state=Bogus"), 400)
    assert anon_client.get("/api/ErasureJobs").status_code == 401
    assert_problem(rep_client.get(f"/api/ErasureJobs/{mine.pk}"), 403)
    assert_problem(admin_client.get(f"/api/ErasureJobs/{foreign.pk}"), 404)


@pytest.mark.django_db
def test_erasure_after_the_real_inbound_paths_and_ai_pipeline(
    admin_client, customer, django_capture_on_commit_callbacks
):
    """An e-mail (raw RFC 822 with an attachment) and a WhatsApp message arrive through the transports, the AI
    pipeline runs on them (offline provider: language, spam, topics, draft with its prompt, cost rows); after the
    erasure nothing of the person is left, and the cost total is unchanged."""
    from email import message_from_bytes, policy

    from ai.models import MessagePipeline
    from channels_cfg.models import ChannelType
    from messaging.services import whatsapp_inbound
    from messaging.services.inbound_mail import mail_import, rfc822_mail_parse
    from tests.automation.factories import TopicFactory
    from tests.channels_cfg.factories import ChannelFactory
    from tickets.models import EndUserUID, UidType

    person = EndUser.objects.create(customer=customer, firstname="Joris", lastname="Qwertyvandermeulen", lang="nl")
    for uid, kind in ((EMAIL, UidType.EMAIL), (PHONE, UidType.PHONE), (f"whatsapp:{PHONE}", UidType.WHATSAPP)):
        EndUserUID.objects.create(customer=customer, end_user=person, uid=uid, uid_type=kind)
    TopicFactory(customer=customer, name="Lekkage", description="Lekkende kraan, waterschade, loodgieter")
    mailbox = ChannelFactory(customer=customer, channel_type=ChannelType.EMAIL, email_address="support@acme.example")
    whatsapp = ChannelFactory(customer=customer, channel_type=ChannelType.WHATSAPP, phone_number="+3225550199")
    raw = (
        f"From: Joris Qwertyvandermeulen <{EMAIL}>\r\nTo: support@acme.example\r\nSubject: Lekkende kraan\r\n"
        "Message-ID: <real-path-qx7@voorbeeld-mail.be>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        "Beste, mijn kraan lekt sinds gisteren. blauwe kangoeroe zonnebloem.\r\n--b1\r\n"
        'Content-Type: text/plain; name="adres.txt"\r\nContent-Disposition: attachment; filename="adres.txt"\r\n\r\n'
        f"Joris Qwertyvandermeulen, {PHONE}\r\n--b1--\r\n"
    ).encode()

    with django_capture_on_commit_callbacks(execute=True):
        mail = mail_import(
            channel=mailbox,
            mail=rfc822_mail_parse(message_from_bytes(raw, policy=policy.default), "support@acme.example"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        line = whatsapp_inbound(
            channel=whatsapp,
            params={
                "MessageSid": "SMqx7",
                "From": f"whatsapp:{PHONE}",
                "To": "whatsapp:+3225550199",
                "Body": "blauwe kangoeroe zonnebloem, help",
            },
        )
    assert mail is not None and line is not None
    assert MessagePipeline.objects.filter(message__in=[mail, line]).exists()
    drafted = TicketMessage.objects.get(pk=mail.pk)
    assert "Qwertyvandermeulen" in drafted.ai_generated_response and drafted.ai_prompt  # the AI draft names them
    assert CostEntry.objects.filter(message_id__in=[mail.pk, line.pk]).count() >= 4  # one row per AI call
    assert database_hits(IDENTIFIERS) and storage_hits(IDENTIFIERS)
    cost_total = _cost_total(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/EndUsers/{person.pk}/erase", {}, format="json")

    assert response.status_code == 202
    assert database_hits(IDENTIFIERS) == [] and storage_hits(IDENTIFIERS) == []
    assert _cost_total(customer) == cost_total
    assert CostEntry.objects.filter(customer=customer, message_id__isnull=True).count() >= 4  # kept, unlinked


@pytest.mark.django_db
def test_a_failed_job_is_resumed_by_the_next_request(
    admin_client, customer, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    job = services.enduser_erase(customer_id=customer.pk, end_user_id=seeded.end_user.pk, enqueue=False)
    original = services._erase_step

    def crash_at_tickets(job, person, step):
        if step == "tickets":
            raise RuntimeError("database went away")
        return original(job, person, step)

    monkeypatch.setattr(services, "_erase_step", crash_at_tickets)
    with pytest.raises(RuntimeError):
        services.erasure_job_run(job_id=job.pk)
    services.erasure_job_fail(job_id=job.pk, error_code="RuntimeError")
    assert ErasureJob.objects.get(pk=job.pk).state == ErasureState.FAILED
    monkeypatch.setattr(services, "_erase_step", original)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/EndUsers/{seeded.end_user.pk}/erase", {}, format="json")

    assert response.status_code == 202 and response.json()["erasureJobID"] == job.pk
    job.refresh_from_db()
    assert job.state == ErasureState.DONE and job.error_code == "" and ErasureJob.objects.count() == 1
    assert database_hits(IDENTIFIERS) == []
