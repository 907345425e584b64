"""How numbers are printed in reports and drawings: never "-0".

A gradient of -0.0 (relu's backward multiplies a negative grad by 0), or a tiny negative number shown
at a precision that rounds it to zero, would print as "-0" or "-0.000" and look like a bug to a
student. Everything that shows numbers (gradcheck's reports, graph labels, step pages) formats them here.
"""
from __future__ import annotations


def format_number(value, spec: str = ".4g") -> str:
    """format(value, spec), except that a result that reads as zero never carries a minus sign."""
    text = format(value, spec)
    if "-" in text:
        try:
            if float(text) == 0:
                return format(0.0, spec)
        except ValueError:  # not a plain number: "inf", "nan", "12%", ...
            pass
    return text
