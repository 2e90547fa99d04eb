"""DOCX export of a large place description: 40 rooms, 300 photos of 3000x2000 (run by hand, not in CI).

    .venv/bin/python bench/places_export.py [--workdir /tmp/places-bench] [--rooms 40] [--photos 300]

Three processes, so that each peak is its own: `build` migrates a scratch SQLite database in the work
directory and stores the photos through places.services.photo_store (each a distinct generated JPEG, so
python-docx cannot deduplicate them); `export` writes the DOCX with the default settings and reports wall
time, the process peak RSS (ru_maxrss) of the first export against its RSS before it, and the Python heap peak
(tracemalloc, second export); the parent prints both phases. Pillow's pixel buffers are C allocations that
tracemalloc does not see, so ru_maxrss is the figure that counts.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOM_NAMES = ("Inkomhal", "Woonkamer", "Keuken", "Badkamer", "Slaapkamer", "Berging", "Zolder", "Garage")
DICTATION = (
    "De vloer is bekleed met grijze tegels, enkele tegels vertonen haarscheurtjes. De muren zijn wit geschilderd "
    "en vertonen gebruikssporen. Het plafond is bepleisterd, er is een kleine vochtvlek in de hoek. Het raam is "
    "dubbel glas in een PVC-kader en sluit goed. De deur klemt licht. Het stopcontact naast de deur zit los."
)


def _django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "answerpal.settings.local"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _photo(index: int) -> bytes:
    """A distinct 3000x2000 camera-like JPEG: noise (which compresses like a real photo) and a numbered block."""
    import io

    from PIL import Image, ImageDraw

    image = Image.effect_noise((3000, 2000), 60).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((100 + index, 100, 1400 + index, 900), fill=(index % 255, 120, 200))
    draw.text((200, 200), f"photo {index}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def build(workdir: Path, rooms: int, photos: int) -> dict:
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from billing.models import CustomerSubscription, SubscriptionPlan
    from billing.services import plans_ensure_default
    from customers.models import Customer
    from places import services

    call_command("migrate", verbosity=0)
    plans_ensure_default()
    customer = Customer.objects.create(name="Bench", hostname=f"bench-{time.time_ns()}.test")
    CustomerSubscription.objects.create(customer=customer, plan=SubscriptionPlan.objects.get(code="enterprise"))
    report = services.report_create(
        customer_id=customer.pk,
        rep_id=None,
        data={"case_number": "PD-BENCH", "address": "Veldstraat 10, 9000 Gent", "landlords": "A", "tenants": "B"},
    )
    started, uploaded = time.perf_counter(), 0
    room_rows = []
    for index in range(rooms):
        room = services.room_create(
            report=report,
            data={"name": f"{ROOM_NAMES[index % len(ROOM_NAMES)]} {index + 1}", "transcript": DICTATION},
        )
        services.room_transform(room_id=room.pk)
        room_rows.append(room)
    for index in range(photos):
        data = _photo(index)
        uploaded += len(data)
        photo = services.photo_store(
            room=room_rows[index % rooms], content=ContentFile(data), file_name=f"IMG_{index:04d}.jpg"
        )
        if index == 0:
            services.report_update(report=report, data={"hero_photo_access_token": photo.access_token})
    return {
        "report": report.pk,
        "uploadedMB": round(uploaded / 1e6, 1),
        "buildSeconds": round(time.perf_counter() - started, 1),
    }


def export(workdir: Path, report_id: int) -> dict:
    """Two exports in this fresh process: the first timed alone (tracemalloc roughly doubles the time of this
    Python-heavy work), the second under tracemalloc for the Python heap peak; ru_maxrss covers both."""
    from places.export import report_docx_write
    from places.selectors import report_detail_queryset

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = workdir / "report.docx"

    def write() -> dict:
        report = report_detail_queryset().get(pk=report_id)
        with out.open("wb") as handle:
            return report_docx_write(report=report, out=handle)

    started = time.perf_counter()
    placed = write()
    seconds = time.perf_counter() - started
    rss_after_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    write()
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        **placed,
        "seconds": round(seconds, 1),
        "rssBeforeMB": round(rss_before / 1024, 1),
        "rssPeakMB": round(rss_after_first / 1024, 1),
        "pythonHeapPeakMB": round(heap_peak / 1e6, 1),
        "docxMB": round(out.stat().st_size / 1e6, 1),
        "out": str(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", nargs="?", choices=("run", "build", "export"), default="run")
    parser.add_argument("--workdir", default="/tmp/places-bench")
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--report", type=int)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    if args.phase == "run":
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
        command = [sys.executable, __file__, "--workdir", str(workdir)]
        built = json.loads(
            subprocess.run(
                [*command, "build", "--rooms", str(args.rooms), "--photos", str(args.photos)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.splitlines()[-1]
        )
        print("build:", json.dumps(built))
        exported = subprocess.run(
            [*command, "export", "--report", str(built["report"])], check=True, capture_output=True, text=True
        )
        print("export:", exported.stdout.splitlines()[-1])
        return
    _django(workdir)
    result = build(workdir, args.rooms, args.photos) if args.phase == "build" else export(workdir, args.report)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
