"""Columns shared by the specs that name an instrument's owner and kind (instruments, standards, records…).

A module of its own so that ``imports.py`` and ``imports_standards.py`` both import it and neither
imports the other back.
"""

from django.utils.translation import gettext_lazy as _

from doluong.imports.spec import Column

OWNER_TAX = Column("owner_tax_code", _("Owner tax code"), required=True,
                   aliases=("Mã số thuế chủ sở hữu", "MST chủ sở hữu", "owner tax code"),
                   export="owner__tax_code", example="0100109106")
KIND_CODE = Column("kind_code", _("Instrument kind code"), required=True,
                   aliases=("Mã loại phương tiện", "Mã loại PTĐ", "Mã loại", "kind code"),
                   export="kind__code", example="CAN-OTO")
