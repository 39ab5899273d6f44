"""Bytes to text: UTF-8, UTF-16 with BOM, and a detected fallback for legacy pages.

Decoded text is also made safe for every later stage: control characters (NUL and the
other C0/C1 codes that crawls and broken exports leave inside good text) are removed,
lone surrogates dropped, and CR-only or CRLF line ends turned into ``\\n``.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newsdesk.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# More control bytes than this share of the head means binary data, not text with a few
# stray NULs (those are cleaned out; see clean_controls).
BINARY_CONTROL_SHARE = 0.05

# C0 controls but tab/newline/CR/form feed, DEL, C1 controls, lone surrogates (from JSON
# "\ud800" escapes: SQLite cannot store them), and the two noncharacters U+FFFE/U+FFFF.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("\r\n?|[\x0b\x0c\u2028\u2029\x85]")


def clean_controls(text: str) -> tuple[str, int]:
    """``text`` with control characters removed and every line end made ``\\n``;
    returns the text and how many control characters were removed.

    Written by hand: no library does exactly this, and it is two regular expressions."""
    if "\r" in text or "\x0b" in text or "\x0c" in text or "\u2028" in text \
            or "\u2029" in text or "\x85" in text:
        text = _BREAKS.sub("\n", text)
    removed = 0
    if _CONTROLS.search(text):
        text, removed = _CONTROLS.subn("", text)
    return text, removed


def looks_binary(data: bytes) -> bool:
    """True for data that is not text in any encoding we read: more than 5% control
    bytes (NULs included) in the first 8 KB, without a UTF-16/32 byte-order mark."""
    head = data[:8192]
    if any(head.startswith(b) for b, _ in _BOMS):
        return False
    control = sum(1 for c in head if c < 32 and c not in (9, 10, 12, 13))
    return bool(head) and control / len(head) > BINARY_CONTROL_SHARE


def _plausible_declared(declared: str | None) -> str | None:
    """A declared charset worth trying: a UTF-16/32 declaration on bytes we could read as
    ASCII (the declaration itself was found as ASCII) is a lie and would give garbage."""
    if not declared:
        return None
    d = declared.strip().lower().replace("_", "-")
    if d.startswith(("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2")):
        return None
    try:
        info = codecs.lookup(d)
    except LookupError:
        return None
    return info.name


def decode_bytes(data: bytes, origin: str, declared: str | None = None) -> str:
    """Decode input bytes, raising :class:`InputError` for binary or undecodable data.

    The text comes back with control characters removed and line ends normalised."""
    return clean_controls(_decode(data, origin, declared))[0]


def _decode(data: bytes, origin: str, declared: str | None) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(origin, f"bad {enc} data after its byte-order mark: {e}",
                                 "re-save the file as UTF-8") from e
    if looks_binary(data):
        raise InputError(
            origin, "binary data, not text", "pass text, HTML, JSONL, RSS/Atom or WARC files"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    plausible = _plausible_declared(declared)
    if plausible:
        try:
            return data.decode(plausible)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(
            origin,
            "not valid UTF-8 and no other encoding fits",
            "re-save the file as UTF-8",
        )
    try:
        return data.decode(best.encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
