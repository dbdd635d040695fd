from django.core.management.base import BaseCommand

from doluong.geo.services import load_vietnam_maps


class Command(BaseCommand):
    help = "Load Vietnam's administrative units (map before and after 1 July 2025) and their succession."

    def handle(self, *args, **options):
        counts = load_vietnam_maps()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
