"""Erases an end user everywhere (dry run by default: the counts per kind; --commit to erase)."""

from django.core.management.base import BaseCommand, CommandError

from answerpal.api.errors import ApiError
from privacy.selectors import person_by_uid
from privacy.services import enduser_erase, enduser_erase_preview, erasure_job_run


class Command(BaseCommand):
    help = "Erase one end user (found by UID) from every table and storage. Changes nothing without --commit."

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, required=True, help="Customer id.")
        parser.add_argument("--uid", required=True, help="One of the end user's UIDs (e-mail, phone, …).")
        parser.add_argument("--commit", action="store_true", help="Erase (default: only count).")

    def handle(self, *args, **options):
        customer_id = options["customer"]
        person = person_by_uid(customer_id=customer_id, uid=options["uid"])
        if person is None:
            raise CommandError(f"Customer {customer_id} has no end user with UID {options['uid']!r}.")
        end_user_id = person.end_user.pk
        try:
            counts = enduser_erase_preview(customer_id=customer_id, end_user_id=end_user_id)
            for kind, count in counts.items():
                self.stdout.write(f"  {kind}: {count}")
            if not options["commit"]:
                self.stdout.write(
                    self.style.WARNING(f"Dry run for end user {end_user_id}: nothing changed (--commit).")
                )
                return
            job = enduser_erase(customer_id=customer_id, end_user_id=end_user_id, actor="command", enqueue=False)
        except ApiError as error:
            raise CommandError(f"{error.code}: {error.detail}") from error
        self.stdout.write(f"Erasure job {job.pk} running…")
        job = erasure_job_run(job_id=job.pk)
        self.stdout.write(f"  {job.state} ({job.progress}%): {job.counts}")
        if job.state != "Done":
            raise CommandError(f"Erasure job {job.pk} ended {job.state} {job.error_code}".strip())
        self.stdout.write(self.style.SUCCESS(f"Erased end user {end_user_id}; receipt: erasure job {job.pk}."))
