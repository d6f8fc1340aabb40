"""Decoding article bytes into the one normalized text that offsets refer to."""

from __future__ import annotations

import codecs
import hashlib

# One document is one article: 5 million characters is over a thousand long articles. A
# 50 MB text file took a minute and 680 MB of memory to segment and store as one document
# in one transaction; a corpus belongs in JSONL or CSV (a document per line or row),
# which are streamed.
MAX_DOCUMENT_CHARS = 5_000_000
TOO_LARGE_HINT = "split it into articles, or put them in JSONL or CSV, one per line or row"


class InputError(ValueError):
    """Input the user must fix; the message is one line and names what is wrong."""


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (BOM optional) or BOM-marked UTF-16; refuse binary data.

    Raises :class:`InputError` naming the first offending byte, so the user can
    find it; nothing is guessed, because a wrong guess silently corrupts offsets.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InputError(f"invalid UTF-16 at byte {error.start}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputError(f"binary file (NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise InputError(f"not valid UTF-8 (byte 0x{bad} at offset {error.start})") from None


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF, once, at import; the result is what is stored."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """The identity of a document's text, used to make re-import a no-op."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare_text(text: str) -> str:
    """Normalize newlines and refuse text no database can store or nobody can annotate."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(f"document too large ({len(text):,} characters; at most "
                         f"{MAX_DOCUMENT_CHARS:,} per document): {TOO_LARGE_HINT}")
    text = normalize_newlines(text)
    if not text.strip():
        raise InputError("empty document (no text)")
    if "\x00" in text:
        raise InputError(f"text contains a NUL character at offset {text.index(chr(0))}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError(f"text contains an unpaired surrogate at offset {error.start}") from None
    return text
