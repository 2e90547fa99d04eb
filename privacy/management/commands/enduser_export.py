"""Writes an end user's access-request archive (the same ZIP as GET /api/EndUsers/{id}/export)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from answerpal.api.errors import ApiError
from privacy.export import INDEX_LANGUAGES
from privacy.selectors import person_by_uid
from privacy.services import enduser_export


class Command(BaseCommand):
    help = "Export everything held about one end user (found by UID) as a ZIP: data.json, files/, index.html."

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, required=True, help="Customer id.")
        parser.add_argument("--uid", required=True, help="One of the end user's UIDs (e-mail, phone, …).")
        parser.add_argument("--output", help="File to write; '-' for standard output; default: a name in the cwd.")
        parser.add_argument("--lang", choices=INDEX_LANGUAGES, help="Language of index.html (default: the person's).")

    def handle(self, *args, **options):
        person = person_by_uid(customer_id=options["customer"], uid=options["uid"])
        if person is None:
            raise CommandError(f"Customer {options['customer']} has no end user with UID {options['uid']!r}.")
        try:
            file_name, chunks = enduser_export(
                customer_id=options["customer"], end_user_id=person.end_user.pk, language=options["lang"] or ""
            )
        except ApiError as error:
            raise CommandError(error.detail) from error
        output = options["output"] or file_name
        written = 0
        target = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115 - closed below
        try:
            for chunk in chunks:
                target.write(chunk)
                written += len(chunk)
        finally:
            if target is not sys.stdout.buffer:
                target.close()
        if output != "-":
            self.stdout.write(
                self.style.SUCCESS(f"Wrote {output} ({written} bytes) for end user {person.end_user.pk}.")
            )
