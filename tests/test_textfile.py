"""Decoding and normalizing article text."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.io.textfile import InputError, decode_text, normalize_newlines, prepare_text


def test_utf8_with_and_without_bom() -> None:
    assert decode_text("Café – “quoted”".encode()) == "Café – “quoted”"
    assert decode_text(codecs.BOM_UTF8 + "Café".encode()) == "Café"


def test_utf16_with_bom() -> None:
    assert decode_text("العربية and 中文".encode("utf-16")) == "العربية and 中文"
    assert decode_text(codecs.BOM_UTF16_BE + "Hi".encode("utf-16-be")) == "Hi"


def test_invalid_utf8_names_the_byte() -> None:
    with pytest.raises(InputError, match=r"not valid UTF-8 \(byte 0xff at offset 3\)"):
        decode_text(b"abc\xffdef")


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(InputError, match="binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_newlines_normalized_once() -> None:
    assert normalize_newlines("a\r\nb\rc\nd\r\r\n") == "a\nb\nc\nd\n\n"


@given(st.text())
def test_normalized_text_has_no_carriage_returns(text: str) -> None:
    normalized = normalize_newlines(text)
    assert "\r" not in normalized
    assert normalized.count("\n") == text.count("\n") + text.count("\r") - text.count("\r\n")


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t \r\n"])
def test_empty_documents_refused(text: str) -> None:
    with pytest.raises(InputError, match="empty document"):
        prepare_text(text)


def test_nul_character_and_lone_surrogate_refused() -> None:
    with pytest.raises(InputError, match="NUL character at offset 1"):
        prepare_text("a\x00b")
    with pytest.raises(InputError, match="unpaired surrogate at offset 2"):
        prepare_text("ab\ud800c")
