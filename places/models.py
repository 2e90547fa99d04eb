"""Place descriptions (plaatsbeschrijvingen): a property condition report of one customer, its rooms in
report order and the photos taken in each room; every row carries the customer of its report."""

import uuid

from django.db import models


class TransformStatus(models.TextChoices):
    """Where a room's transcript → report text transformation stands."""

    IDLE = "Idle"
    QUEUED = "Queued"
    RUNNING = "Running"
    DONE = "Done"
    FAILED = "Failed"


class PlaceDescriptionReport(models.Model):
    """A move-in / move-out condition report; its documents, transform topic and ticket belong to the same
    customer, and `hero_photo_access_token` names one of its own room photos (or nothing)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    created_by_customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_names = models.CharField(max_length=500, blank=True)
    case_number = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    landlords = models.CharField(max_length=1000, blank=True)
    tenants = models.CharField(max_length=1000, blank=True)
    address = models.CharField(max_length=500, blank=True)
    report_date = models.DateField(null=True, blank=True)
    lexicon_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instructions_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transform_topic = models.ForeignKey(
        "automation.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_photo_access_token = models.UUIDField(null=True, blank=True)
    language = models.CharField(
        max_length=16,
        blank=True,
        help_text="BCP 47 tag of the report (nl-BE, fr-BE, en-GB …); blank: the language of the rooms' dictation.",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The ticket the report was made for (same customer).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["customer", "case_number"]),
            models.Index(fields=["customer", "ticket"]),
        ]

    def __str__(self):
        return self.case_number or self.address or f"Report {self.pk}"


class PlaceDescriptionRoom(models.Model):
    """One room of a report: the inspector's dictation and the sanitised HTML report text made from it."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(PlaceDescriptionReport, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=200)
    sort_order = models.IntegerField(default=0)
    transcript = models.TextField(blank=True)
    report_text = models.TextField(blank=True, help_text="Sanitised HTML.")
    notes = models.TextField(blank=True)
    transform_status = models.CharField(max_length=16, choices=TransformStatus.choices, default=TransformStatus.IDLE)
    transform_error = models.CharField(max_length=500, blank=True)
    transform_prompt = models.TextField(blank=True, help_text="The prompt of the last transformation.")
    transform_model = models.CharField(max_length=200, blank=True)
    transformed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["report", "sort_order"])]

    def __str__(self):
        return self.name


def _photo_path(photo: "PlaceDescriptionRoomPhoto", name: str) -> str:
    return f"places/{photo.customer_id}/{name}"


class PlaceDescriptionRoomPhoto(models.Model):
    """A photo of a room, stored upright (EXIF orientation applied, metadata stripped) with a JPEG thumbnail and
    a JPEG rendition for documents (PLACES_EXPORT_IMAGE_PIXELS at upload time); `size` is the bytes of all three
    files, which is what billing counts."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(PlaceDescriptionRoom, on_delete=models.CASCADE, related_name="photos")
    access_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_photo_path, max_length=300)
    thumbnail = models.FileField(upload_to=_photo_path, max_length=300)
    export_image = models.FileField(upload_to=_photo_path, max_length=300)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField(default=0)
    caption = models.CharField(max_length=500, blank=True)
    sort_order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["room", "sort_order"]), models.Index(fields=["customer"])]

    def __str__(self):
        return self.caption or self.file_name

    @property
    def download_name(self) -> str:
        """The uploaded name with the extension of the stored format (an uploaded HEIC is served as JPEG)."""
        stem = self.file_name.rsplit(".", 1)[0] if "." in self.file_name else self.file_name
        extension = self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else "jpg"
        return f"{stem or 'photo'}.{extension}"
