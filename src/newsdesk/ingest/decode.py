"""Bytes to text: UTF-8, UTF-16 with BOM, and a detected fallback for legacy pages."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from newsdesk.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """True for data that is not text in any encoding we read (NULs without a UTF-16 BOM)."""
    head = data[:8192]
    if any(head.startswith(b) for b, _ in _BOMS):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for c in head if c < 32 and c not in (9, 10, 12, 13))
    return bool(head) and control / len(head) > 0.05


def decode_bytes(data: bytes, origin: str, declared: str | None = None) -> str:
    """Decode input bytes, raising :class:`InputError` for binary or undecodable data."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(origin, f"bad {enc} data after its byte-order mark: {e}") from e
    if looks_binary(data):
        raise InputError(
            origin, "binary data, not text", "pass text, HTML, JSONL, RSS/Atom or WARC files"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(
            origin,
            "not valid UTF-8 and no other encoding fits",
            "re-save the file as UTF-8",
        )
    return data.decode(best.encoding, errors="replace")
