"""From bytes to text: size caps, binary sniffing, and the decoding chain.

Decoding tries UTF-8 (with or without a BOM), a UTF-16/32 BOM, the charset the document
declares (HTML meta or HTTP header), then charset detection on mostly-ASCII data (legacy
8-bit encodings of English text); as a last resort UTF-8 with replacement characters, but
only when they are a tiny share of the text. Anything else is rejected as undecodable.
"""

from __future__ import annotations

import codecs
import gzip
import re
import unicodedata
import zlib
from typing import BinaryIO

from .checks import RejectInput

_SNIFF_BYTES = 8192
# Control bytes that never occur in text (tab, newline, carriage return, form feed and
# escape excepted).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_MAX_CONTROL_SHARE = 0.05
_MAX_REPLACEMENT_SHARE = 0.002
_MIN_ASCII_SHARE_FOR_DETECTION = 0.9
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """All of the stream, or RejectInput("too large") past max_bytes (read stops there)."""
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        kind = "malformed gzip" if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error) else "unreadable"
        raise RejectInput(kind, str(exc) or type(exc).__name__) from None
    if len(data) > max_bytes:
        raise RejectInput("too large", f"over the {megabytes(max_bytes)} limit")
    return data


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes (<meta charset=...>), if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _check_not_binary(data: bytes) -> None:
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        raise RejectInput("binary", "holds NUL bytes")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise RejectInput("binary", f"{controls} control bytes in the first {len(sample)}")


def _check_text(text: str) -> str:
    """The decoded text, unless it is mostly characters no text holds."""
    sample = text[:_SNIFF_BYTES]
    odd = sum(
        1 for ch in sample if ch not in "\t\n\r\f" and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")
    )
    if odd > _MAX_CONTROL_SHARE * len(sample):
        raise RejectInput("binary", f"{odd} control or unassigned characters in the first {len(sample)}")
    return text


def _detect(data: bytes) -> str | None:
    """Text decoded by charset detection, for mostly-ASCII data only (random bytes decode too)."""
    ascii_share = sum(1 for b in data[:_SNIFF_BYTES] if b < 128) / min(len(data), _SNIFF_BYTES)
    if ascii_share < _MIN_ASCII_SHARE_FOR_DETECTION:
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.chaos > 0.1:
        return None
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text of the bytes, or RejectInput (empty, binary, undecodable)."""
    if not data:
        raise RejectInput("empty", "no bytes")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding))
            except UnicodeDecodeError:
                raise RejectInput("undecodable", f"broken {encoding} after a {encoding} byte-order mark") from None
    _check_not_binary(data)
    try:
        return _check_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    for encoding in (_known_codec(declared), _known_codec(declared_charset(data))):
        if encoding and encoding != "utf-8":
            try:
                return _check_text(data.decode(encoding))
            except UnicodeDecodeError:
                pass
    detected = _detect(data)
    if detected is not None:
        return _check_text(detected)
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    if replaced <= _MAX_REPLACEMENT_SHARE * len(text):
        return _check_text(text)
    raise RejectInput("undecodable", f"not UTF-8 and no charset fits ({replaced} bad bytes)")


def sniff_format(data: bytes) -> str:
    """"html", "feed", "json" or "text", from the first bytes of a document."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) and re.search(rb"<(rss|feed|rdf:rdf)\b", head):
        return "feed"
    if head.startswith(b"<") and re.search(rb"<(!doctype html|html|head|body|p|div|article)\b", head):
        return "html"
    if head.startswith((b"{", b"[")):
        return "json"
    return "text"
