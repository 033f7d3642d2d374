"""Folding text for search: case, accents and punctuation fold the same way everywhere.

``chloe`` finds ``Chloé`` and ``lukasz`` finds ``Łukasz``: NFKD, combining marks dropped, the
few letters NFKD leaves alone (ł ø đ ß æ œ þ ð ı) spelt out, lower case, and ASCII punctuation
and whitespace as single spaces. The database keeps the folded text of every order's names and
titles, folded by the SQL function ``wt_fold``: on SQLite that is :func:`fold_padded` itself,
registered on every connection; on PostgreSQL it is the SQL function :func:`pg_fold_function`
writes, built from :func:`fold` over the Latin letters so the two engines agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# letters that NFKD does not decompose
SPECIAL = {
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "ẞ": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
    "ı": "i", "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ŀ": "l", "Ŀ": "l",
}
_SPECIAL = str.maketrans(SPECIAL)
# ASCII punctuation, whitespace and control characters: word separators
SEPARATORS = "[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+"
_SEP = re.compile(SEPARATORS)


def fold(text: str | None) -> str:
    """Words of ``text`` folded, one space between them, none around."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL).lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEP.sub(" ", bare.translate(_SPECIAL)).strip()


@lru_cache(maxsize=1 << 14)
def fold_padded(text: str | None) -> str:
    """The stored form: a space before and after, so whole words and word starts can be matched.
    Remembered: an import folds the same product titles over and over."""
    folded = fold(text)
    return f" {folded} " if folded else ""


# Latin-1 Supplement, Latin Extended-A and B, Latin Extended Additional, Greek and Cyrillic
_RANGES = ((0xC0, 0x250), (0x370, 0x400), (0x400, 0x530), (0x1E00, 0x1F00))


def _pg_maps() -> tuple[dict[str, str], dict[str, str]]:
    """Characters whose fold is one character (for translate) and those that become several."""
    one, many = {}, {}
    for lo, hi in _RANGES:
        for cp in range(lo, hi):
            c = chr(cp)
            if unicodedata.category(c).startswith(("C", "Z")):
                continue
            f = fold(c)
            if f == c or not f or " " in f:
                continue
            (one if len(f) == 1 else many)[c] = f
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        one[c] = c.lower()
    return one, many


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pg_fold_function() -> str:
    """``CREATE FUNCTION wt_fold(text)`` for PostgreSQL, folding as :func:`fold_padded` does.

    One expression with no FROM, so PostgreSQL inlines it into the query or trigger that calls
    it (a SQL function it cannot inline costs about 0.1 ms a call); text that is all ASCII only
    needs its capitals lowered, which skips the long ``translate`` (its cost grows with the
    length of its character list)."""
    one, many = _pg_maps()
    expr = "t"
    for c, f in sorted(many.items()):
        expr = f"replace({expr}, {_pg_literal(c)}, {_pg_literal(f)})"
    # combining marks (text already decomposed) have no counterpart: translate drops them
    src = "".join(one) + "".join(chr(cp) for cp in range(0x300, 0x370))
    dst = "".join(one.values())
    expr = f"translate({expr}, {_pg_literal(src)}, {_pg_literal(dst)})"
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    expr = (f"CASE WHEN t ~ '^[\\x01-\\x7f]*$' THEN translate(t, '{upper}', '{upper.lower()}') "
            f"ELSE {expr} END")
    # regexp classes in PostgreSQL take \xHH escapes, so the separators match as in Python
    sep = "[\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]+"
    expr = f"btrim(regexp_replace({expr}, {_pg_literal(sep)}, ' ', 'g'))"
    # a space before and after the words; nothing at all when there are none
    return (
        "CREATE OR REPLACE FUNCTION wt_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
        f"PARALLEL SAFE AS $wt$ SELECT regexp_replace(' ' || {expr} || ' ', '^ +$', '') $wt$"
    )
