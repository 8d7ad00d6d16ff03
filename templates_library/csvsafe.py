"""CSV cells no spreadsheet runs as a formula (one rule for every CSV we write).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single
quote in front, and nothing else changes. To read a value back: if a cell starts with a
quote followed by one of those characters, drop the quote (:func:`unneutralise`); a value
that itself began with a quote and one of them is written with one more quote, so the
rule is exact. Reports keep plain numbers (``-1.5``) as numbers (``keep_numbers``).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise(value: str, *, keep_numbers: bool = False) -> str:
    if not value.lstrip("'").startswith(FORMULA_STARTS):
        return value
    if keep_numbers and _is_number(value):
        return value
    return "'" + value


def unneutralise(cell: str) -> str:
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
