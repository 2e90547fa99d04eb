"""Unlocks sign-in: of a representative (by customer and username), of a client address, or of a phone number."""

from django.core.management.base import BaseCommand, CommandError

from accounts import lockout
from accounts.selectors import reps_live


class Command(BaseCommand):
    help = (
        "Clear failed sign-in attempts and locks (audited): --customer ID --username NAME, --address IP, "
        "or --phone NUMBER. Nothing to clear is not an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, help="Customer id of the representative.")
        parser.add_argument("--username", help="Username of the representative (with --customer).")
        parser.add_argument("--address", help="A client address whose failures to clear.")
        parser.add_argument("--phone", help="A phone channel number whose phone sign-in failures to clear.")

    def handle(self, *args, **options):
        actor = "command login_unlock"
        done = []
        if options["username"] or options["customer"]:
            if not (options["username"] and options["customer"]):
                raise CommandError("Give --customer and --username together.")
            rep = reps_live().filter(customer_id=options["customer"], username__iexact=options["username"]).first()
            if rep is None:
                raise CommandError(f"Customer {options['customer']} has no representative '{options['username']}'.")
            done.append((f"representative {rep.username}", lockout.rep_unlock(rep=rep, actor=actor)))
        if options["address"]:
            done.append(
                (f"address {options['address']}", lockout.address_unlock(address=options["address"], actor=actor))
            )
        if options["phone"]:
            done.append((f"phone {options['phone']}", lockout.phone_unlock(phone_number=options["phone"], actor=actor)))
        if not done:
            raise CommandError("Name what to unlock: --customer and --username, --address or --phone.")
        for what, cleared in done:
            self.stdout.write(f"{what}: {'unlocked' if cleared else 'nothing to clear'}")
