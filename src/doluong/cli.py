"""The ``doluong`` console command.

``doluong calc KIND`` runs the metrology calculators (pure Python, no database); every other
sub-command is a Django management command (``doluong migrate``, ``doluong runserver``,
``doluong load_demo`` ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "calc":
        from doluong.metrology.calc import main as calc_main

        return calc_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doluong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["doluong", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
