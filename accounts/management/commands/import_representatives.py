"""Imports representatives with their legacy AnswerPal BCrypt hashes from CSV (dry run unless --commit)."""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts import selectors
from accounts.models import CustomerRep
from accounts.services import RepProfile, legacy_password_hash, rep_create
from answerpal.api.errors import ApiError
from answerpal.api.policies import Role
from billing.selectors import effective_limits
from customers.models import Customer

COLUMNS = ("username", "name", "email", "role", "passwordHash")
ROLES = {role.lower(): role for role in Role.values}


class Command(BaseCommand):
    help = (
        "Import representatives from a CSV with columns username,name,email,role,passwordHash (legacy BCrypt). "
        "Existing usernames are skipped; reps beyond the plan's user limit are imported inactive. "
        "Dry run unless --commit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, required=True, help="Customer id.")
        parser.add_argument("--file", type=Path, required=True, help="CSV file (UTF-8, header row).")
        parser.add_argument("--commit", action="store_true", help="Write the reps (default: dry run).")

    def handle(self, *args, **options):
        customer = Customer.objects.filter(pk=options["customer"]).first()
        if customer is None:
            raise CommandError(f"No customer with id {options['customer']}.")
        rows = self._read(options["file"])
        commit = options["commit"]
        existing = {
            name.lower()
            for name in CustomerRep.objects.filter(customer=customer, deleted_at__isnull=True).values_list(
                "username", flat=True
            )
        }
        try:
            max_users = effective_limits(customer_id=customer.pk).max_users
        except ApiError as error:
            raise CommandError(f"{error.code}: {error.detail}") from error
        free_seats = max_users - selectors.reps_seated_count(customer_id=customer.pk)
        counts = {"active": 0, "inactive": 0, "skipped": 0, "invalid": 0}
        mode = "Importing" if commit else "Dry run (nothing is written; add --commit)"
        self.stdout.write(
            f"{mode}: {len(rows)} row(s) into {customer.name} (id {customer.pk}), {free_seats} free seat(s)"
        )
        for number, row in enumerate(rows, start=2):
            if number > 2 and (number - 2) % 100 == 0:
                self.stdout.write(f"  … {number - 2}/{len(rows)} rows")
            username = (row.get("username") or "").strip()
            problem = self._problem(row, username, existing)
            if problem:
                counts["skipped" if problem.startswith("exists") else "invalid"] += 1
                self.stdout.write(f"  line {number}: {username or '?'} {problem}")
                continue
            is_active = free_seats > 0
            if commit:
                try:
                    rep_create(
                        customer_id=customer.pk,
                        username=username,
                        password=legacy_password_hash(row["passwordHash"] or ""),
                        password_is_hash=True,
                        profile=RepProfile(name=row["name"].strip(), email=row["email"].strip()),
                        role=ROLES[(row["role"] or "").strip().lower() or "representative"],
                        is_active=is_active,
                    )
                except ApiError as error:
                    counts["invalid"] += 1
                    self.stdout.write(f"  line {number}: {username} refused: {error.detail}")
                    continue
            existing.add(username.lower())
            free_seats -= int(is_active)
            counts["active" if is_active else "inactive"] += 1
            if not is_active:
                self.stdout.write(f"  line {number}: {username} imported inactive (user limit reached)")
        verb = "Imported" if commit else "Would import"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {counts['active']} active and {counts['inactive']} inactive representative(s); "
                f"skipped {counts['skipped']} existing, {counts['invalid']} invalid row(s)."
            )
        )

    @staticmethod
    def _read(path: Path) -> list[dict]:
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}.")
                return list(reader)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error

    @staticmethod
    def _problem(row: dict, username: str, existing: set[str]) -> str | None:
        if not username:
            return "invalid: username is empty"
        if username.lower() in existing:
            return "exists already; skipped"
        if (row.get("role") or "").strip().lower() not in {*ROLES, ""}:
            return f"invalid: role must be one of {', '.join(Role.values)}"
        try:
            validate_email((row.get("email") or "").strip())
        except ValidationError:
            return "invalid: email is not an e-mail address"
        try:
            legacy_password_hash(row.get("passwordHash") or "")
        except ValueError as error:
            return f"invalid: passwordHash is {error}"
        return None
