"""Text from outside (marketplaces, files, scans) made safe to keep and safe to show.

Two rules, one place:

- ``clean`` is for storing: imported text keeps its printable characters; tabs, newlines and
  other line breaks become spaces; every other control character (C0, DEL, C1) and any lone
  surrogate (which JSON can spell) is dropped.
- ``safe`` is for showing on a terminal or in a log line: whatever is stored (older rows,
  names typed at a command line), no control character reaches the terminal. Line breaks and
  tabs become spaces; other control characters are shown as visible escapes (``\\x1b``).

``json_text`` dumps JSON that is valid and terminal-safe: json escapes C0 itself; DEL, C1,
line separators and lone surrogates are written as ``\\uXXXX`` escapes too.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

# C0, DEL and C1
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")
# what JSON leaves raw with ensure_ascii=False and a terminal or a JavaScript parser minds
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def clean(value: str) -> str:
    """Imported text as it is stored: printable characters only, line breaks as spaces."""
    if not value or value.isprintable():
        return value
    value = _BREAKS.sub(" ", value)
    value = _CONTROL.sub("", value)
    return _SURROGATE.sub("", value)


def _escape(m: re.Match) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe(value: Any) -> str:
    """Any value as one line of text that is safe on a terminal."""
    text = "" if value is None else str(value)
    if not text or text.isprintable():
        return text
    text = _BREAKS.sub(" ", text)
    text = _CONTROL.sub(_escape, text)
    return _SURROGATE.sub(_escape, text)


def safe_lines(value: Any) -> str:
    """Like ``safe``, keeping line breaks (for text that is several lines on purpose)."""
    return "\n".join(safe(part) for part in ("" if value is None else str(value)).split("\n"))


_LEAVES = (type(None), int, float, bool, datetime)


def clean_all(obj: Any) -> Any:
    """``clean`` applied to every string in a structure of dataclasses, dicts and lists, in place
    where it can be (dataclasses, dicts, lists); returns the cleaned object. An import walks
    every field of every order: the strings of one object are checked at once, and a printable
    string (nearly all) is left as it is."""
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, (dict, list)):
        if not obj:
            return obj
        target = obj
    elif getattr(obj, "__dataclass_fields__", None):
        if not hasattr(obj, "__dict__"):  # slots
            for name in obj.__dataclass_fields__:
                setattr(obj, name, clean_all(getattr(obj, name)))
            return obj
        target = vars(obj)
    else:
        return obj
    keys = range(len(target)) if isinstance(target, list) else list(target)
    values = target if isinstance(target, list) else list(target.values())
    if not "".join([v for v in values if type(v) is str]).isprintable():
        for k, v in zip(keys, values):
            if type(v) is str:
                target[k] = clean(v)
    for k, v in zip(keys, values):
        if type(v) is not str and not isinstance(v, _LEAVES):
            new = clean_all(v)
            if new is not v:
                target[k] = new
    return obj


def clean_record(obj: Any) -> Any:
    """``clean_all`` for a record of dataclasses, dicts, lists and plain values whose ``repr``
    shows every field (an imported order): ``repr`` writes every character that is not
    printable as an escape, so a repr without a backslash has nothing to clean, and the walk
    is skipped."""
    return obj if "\\" not in repr(obj) else clean_all(obj)


def json_text(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` (non-ASCII kept) with every character a terminal minds escaped."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


class SafeLogFilter(logging.Filter):
    """Log lines carry names and messages from outside: make each record terminal-safe."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is
            message = str(record.msg)
        record.msg, record.args = safe(message), None
        return True


def safe_logging(handler: logging.Handler) -> logging.Handler:
    if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
        handler.addFilter(SafeLogFilter())
    return handler
