"""doluong — source of truth and control room for a province's metrology programme."""

__version__ = "0.1.0"
