"""Imports e-mail now (in this process) for one channel or every mail channel of a customer."""

from django.core.management.base import BaseCommand, CommandError

from messaging import selectors, services
from messaging.graph import GraphError
from messaging.imap import ImapError


class Command(BaseCommand):
    help = "Import new e-mail of a channel (--channel ID) or of every mail channel of a customer (--customer ID)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--channel", type=int)
        target.add_argument("--customer", type=int)

    def handle(self, *args, channel=None, customer=None, **options):
        from channels_cfg.models import Channel

        if channel is not None:
            customer_id = Channel.objects.filter(pk=channel).values_list("customer_id", flat=True).first()
            if customer_id is None:
                raise CommandError(f"No channel {channel}.")
            channels = selectors.mail_channels(customer_id=customer_id, channel_id=channel)
        else:
            channels = selectors.mail_channels(customer_id=customer)
        channels = list(channels)
        if not channels:
            raise CommandError("No active Email channel matches.")
        total = failures = 0
        for index, mail_channel in enumerate(channels, start=1):
            for folder in services.channel_default_folder(channel=mail_channel):
                label = f"[{index}/{len(channels)}] {mail_channel.name} / {folder}"
                try:
                    count = services.folder_import(folder=folder)
                except (GraphError, ImapError) as error:
                    failures += 1
                    self.stderr.write(f"{label}: failed at {error.step}: {error}")
                    continue
                total += count
                self.stdout.write(f"{label}: {count} new message(s)")
        summary = f"Imported {total} message(s) from {len(channels)} channel(s); {failures} folder(s) failed."
        self.stdout.write(self.style.SUCCESS(summary) if not failures else self.style.WARNING(summary))
