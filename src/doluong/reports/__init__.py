"""The documents a plan exists for: the yearly report, the phase and final reviews, the budget estimate and the
annual workplan, in Word and PDF (and XLSX for tables), generated from the indicators and kept."""
