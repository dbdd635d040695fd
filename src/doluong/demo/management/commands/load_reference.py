import time

from django.core.management.base import BaseCommand

from doluong.demo.reference import load_reference


class Command(BaseCommand):
    help = ("Load the reference data every installation needs: both administrative maps, the nine "
            "metrology fields, sectors and instrument kinds (seed values; check them against the circulars).")

    def add_arguments(self, parser):
        parser.add_argument("--no-maps", action="store_true", help="Do not (re)load the administrative maps.")

    def handle(self, *args, **options):
        start = time.perf_counter()
        counts = load_reference(maps=not options["no_maps"])
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded in {time.perf_counter() - start:.1f} s."))
