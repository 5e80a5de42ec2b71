"""Turning cells of survey exports into numbers and comparable labels."""

from __future__ import annotations

import math
import re
import unicodedata

MISSING_TOKENS = {"", "na", "n/a", "nan", ".", "null", "none", "#n/a", "-"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


class NotANumber(ValueError):
    pass


class NumberOverflow(NotANumber):
    """A number too large for a float (``1e309``, a 400-digit string): it would become infinity."""

    reason = "a number too large to compute with (it overflows to infinity)"


def _finite(x, text) -> float:
    try:
        x = float(x)
    except OverflowError:  # a huge Python int (e.g. from a spreadsheet cell)
        raise NumberOverflow(text) from None
    if math.isinf(x):
        raise NumberOverflow(text)
    return x


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip().lower() in MISSING_TOKENS:
        return True
    return value.__class__.__name__ in ("NAType", "NaTType")


def parse_number(value) -> float:
    """A cell as a float: blanks -> NaN; ``3,5`` (decimal comma) -> 3.5; text -> NotANumber;
    a number that overflows to infinity (``1e309``, a 400-digit string) -> NumberOverflow."""
    if is_blank(value):
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return _finite(value, str(value))
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iuf":
        return _finite(value, str(value))
    text = str(value).strip().replace("\u00a0", "")
    if _NUMBER.match(text):
        return _finite(text, text)
    if _DECIMAL_COMMA.match(text):
        return _finite(text.replace(",", "."), text)
    raise NotANumber(text)


def normalise_label(text) -> str:
    """Case-, accent- and space-insensitive key: 'Muy  Satisfecho ' == 'muy satisfecho' == 'MUY SATISFECHO'."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())
