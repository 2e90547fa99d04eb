"""Exports one place description report to a DOCX file (the same export as GET .../export/docx)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from answerpal.api.errors import ApiError
from places.export import PhotoPlacement, report_docx_write
from places.locales import EXPORT_LANG_CHOICES
from places.selectors import report_detail_queryset


class Command(BaseCommand):
    help = "Write report --report ID as a Word document to --out PATH."

    def add_arguments(self, parser):
        parser.add_argument("--report", type=int, required=True, help="Id of the place description report.")
        parser.add_argument("--out", required=True, help="Path of the .docx file to write.")
        parser.add_argument("--customer", type=int, help="Refuse the export unless the report is this customer's.")
        parser.add_argument("--photo-placement", choices=PhotoPlacement.CHOICES, default=PhotoPlacement.PER_ROOM)
        parser.add_argument(
            "--lang",
            choices=EXPORT_LANG_CHOICES,
            default="",
            help="Language (default: the report's, else the dictation's).",
        )

    def handle(self, *args, report, out, customer=None, photo_placement, lang, **options):
        reports = report_detail_queryset().filter(pk=report)
        if customer is not None:
            reports = reports.filter(customer_id=customer)
        row = reports.first()
        if row is None:
            raise CommandError(f"No report with id {report}" + (f" for customer {customer}." if customer else "."))
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"The directory {path.parent} does not exist.")
        try:
            with path.open("wb") as handle:
                placed = report_docx_write(report=row, out=handle, photo_placement=photo_placement, lang=lang)
        except ApiError as error:  # ReportEmpty
            path.unlink(missing_ok=True)
            raise CommandError(f"{error.code}: {error.detail}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {path} ({path.stat().st_size} bytes): {placed['rooms']} room(s), {placed['photos']} photo(s)."
            )
        )
