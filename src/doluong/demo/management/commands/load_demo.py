from django.core.management.base import BaseCommand, CommandError

from doluong.demo.generator import load_demo


class Command(BaseCommand):
    help = ("Load a deterministic, realistic demo data set (Yên Bái → Lào Cai): organisations, providers, "
            "instruments and verification records 2019–2026, and one account per role. Demo only.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Size factor: 1 gives 300 enterprises, 10 000 instruments, 50 000 records.")
        parser.add_argument("--seed", type=int, default=2019, help="Random seed (same seed, same data).")
        parser.add_argument("--accounts", action="store_true", default=True,
                            help="Create or update one account per role and 'admin' (default).")
        parser.add_argument("--no-accounts", action="store_false", dest="accounts",
                            help="Do not create accounts.")
        parser.add_argument("--force", action="store_true",
                            help="Delete demo data already loaded (and every workplan, report, budget line and "
                                 "change request of every plan: demonstration databases only), then load again.")

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive.")
        result = load_demo(scale=options["scale"], seed=options["seed"], accounts=options["accounts"],
                           force=options["force"], log=self.stdout.write)
        if not result["skipped"]:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in result["counts"].items()))
        if result["accounts"]:
            rows = [("username", "role", "organisation", "password"), *result["accounts"]]
            widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
            line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
            self.stdout.write("Demo accounts (demo only; change or delete them on a real installation):")
            self.stdout.write(line)
            for n, row in enumerate(rows):
                self.stdout.write("| " + " | ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
                if n == 0:
                    self.stdout.write(line)
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Done in {result['seconds']:.1f} s."))
