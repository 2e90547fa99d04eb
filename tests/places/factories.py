import factory
from django.core.files.base import ContentFile

from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto
from tests.customers.factories import CustomerFactory
from tests.places.photos import jpeg


class PlaceDescriptionReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceDescriptionReport

    customer = factory.SubFactory(CustomerFactory)
    case_number = factory.Sequence(lambda n: f"PD-2026-{n:03d}")
    client_names = factory.Sequence(lambda n: f"Client {n}")
    address = factory.Sequence(lambda n: f"Veldstraat {n}, 9000 Gent")
    description = "Intredende plaatsbeschrijving"
    landlords = "Jan Peeters"
    tenants = "An Janssens"


class PlaceDescriptionRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceDescriptionRoom

    customer = factory.SubFactory(CustomerFactory)
    report = factory.SubFactory(PlaceDescriptionReportFactory, customer=factory.SelfAttribute("..customer"))
    name = factory.Sequence(lambda n: f"Room {n}")
    sort_order = factory.Sequence(lambda n: n)


class PlaceDescriptionRoomPhotoFactory(factory.django.DjangoModelFactory):
    """A stored 64x32 JPEG with its thumbnail and document rendition (as photo_store would leave them)."""

    class Meta:
        model = PlaceDescriptionRoomPhoto

    customer = factory.SubFactory(CustomerFactory)
    room = factory.SubFactory(PlaceDescriptionRoomFactory, customer=factory.SelfAttribute("..customer"))
    file = factory.LazyFunction(lambda: ContentFile(jpeg(), name="photo.jpg"))
    thumbnail = factory.LazyFunction(lambda: ContentFile(jpeg(size=(32, 16)), name="photo-thumb.jpg"))
    export_image = factory.LazyFunction(lambda: ContentFile(jpeg(), name="photo-doc.jpg"))
    file_name = "photo.jpg"
    content_type = "image/jpeg"
    width = 64
    height = 32
    size = factory.LazyAttribute(lambda photo: photo.file.size + photo.thumbnail.size + photo.export_image.size)
    sort_order = factory.Sequence(lambda n: n)
