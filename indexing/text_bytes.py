"""Bytes of an uploaded text file into text: the encodings people's files
come in (UTF-8 with or without a BOM, UTF-16 with one, Korean CP949 from
older Windows software), line ends made "\n", anything else refused with a
message that names the file and the offending byte.
"""
from __future__ import annotations

from indexing.errors import UnsupportedFileError
from indexing.korean import has_hangul


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Korean in CP949
    (`_legacy_korean`); anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        if b"\x00" in data[:8192]:
            raise UnsupportedFileError(f"{name}: this looks like a binary file, not text.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        text = _legacy_korean(data) if encoding == "utf-8-sig" else None
        if text is None:
            raise UnsupportedFileError(
                f"{name}: not valid {encoding.upper().replace('-SIG', '')} text "
                f"(byte {data[error.start]:#04x} at position {error.start}); save it as UTF-8 and retry."
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _legacy_korean(data: bytes) -> str | None:
    """`data` as CP949 (EUC-KR and Windows' extension of it), the encoding
    Korean text files saved by older Windows software use, if it reads as
    Korean: nine in ten of its non-ASCII characters Hangul. Other legacy
    encodings (Latin-1 "café") fail to decode or fail that test."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return None
    other = [c for c in text if ord(c) > 127]
    return text if other and sum(map(has_hangul, other)) >= 0.9 * len(other) else None
