"""Which encoding a CSV file is in, decided once, before anything is parsed.

Tried in order, each strictly: a byte-order mark (UTF-8, UTF-16), UTF-8, then the two Chinese
double-byte encodings. A Big5 file (Taiwan, Hong Kong, older PMS) almost always decodes as
GB18030 too, into mojibake (黃麗華 → 独腞地), so when both decode the text of each is scored for
plausibility on the lines that hold non-ASCII bytes: characters nobody types into a customer
file (kana, Greek, Cyrillic, box drawing, private use, compatibility forms) count against it,
and Han characters outside the frequent set of that encoding (GB2312 for GB18030; Big5's level 1
for Big5) count half. The lower score wins; a tie is GB18030, mainland Excel's default. A file
that decodes as none of them is refused with the encodings tried, never stored as mojibake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

SAMPLE_LINES = 400
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")
_PLAIN = re.compile(
    r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00a0-\u00ff\u2460-\u24ff"
    r"\u2190-\u21ff\u2100-\u214f\u25a0-\u25ff\u2600-\u26ff]"
)


class EncodingRejected(Exception):
    """The bytes are none of the encodings Guanxi reads; the message says which were tried."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8, utf-8-sig, utf-16, gb18030 or big5


def _score(text: str, encoding: str) -> float:
    """Lower is more plausible: implausible characters 1, rare Han characters ½."""
    bad = 0.0
    for char in text:
        if char < "\x80":
            continue
        if not _PLAIN.match(char):
            bad += 1
        elif "\u4e00" <= char <= "\u9fff" and not _frequent(char, encoding):
            bad += 0.5
    return bad


def _frequent(char: str, encoding: str) -> bool:
    if encoding == "gb18030":
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True
    try:
        lead = char.encode("big5")[0]
    except UnicodeEncodeError:
        return False
    return 0xA4 <= lead <= 0xC6  # Big5 level 1: the frequently used characters


def _sample(raw: bytes) -> bytes:
    lines = []
    for match in _NON_ASCII_LINE.finditer(raw):
        lines.append(match.group())
        if len(lines) >= SAMPLE_LINES:
            break
    return b"\n".join(lines)


def _chinese(raw: bytes) -> Decoded | None:
    """GB18030 or Big5, whichever decodes and reads more plausibly (module docstring)."""
    found: dict[str, str] = {}
    for encoding in ("gb18030", "big5"):
        try:
            found[encoding] = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(found) < 2:
        return next((Decoded(text, enc) for enc, text in found.items()), None)
    sample = _sample(raw)
    scores = {enc: _score(sample.decode(enc), enc) for enc in found}
    best = "big5" if scores["big5"] < scores["gb18030"] else "gb18030"
    return Decoded(found[best], best)


def decode_csv(raw: bytes) -> Decoded:
    """The file's text and the encoding it was read in; EncodingRejected when none fits."""
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding, raw = "utf-8-sig", raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise EncodingRejected(
                _("The file starts like UTF-16 text but byte %(pos)s is not UTF-16. Save it as "
                  "CSV UTF-8.") % {"pos": exc.start}
            ) from None  # fmt: skip
        sample = text[:2000]
        # A table has separators, line ends, digits: bytes read as UTF-16 by mistake have none.
        if sum(char < "\x80" for char in sample) < len(sample) / 5:
            raise EncodingRejected(
                _("The file starts like UTF-16 text but does not read as a table in UTF-16. "
                  "Save it as CSV UTF-8.")
            )  # fmt: skip
        return Decoded(text, "utf-16")
    else:
        encoding = "utf-8"
    try:
        return Decoded(raw.decode("utf-8"), encoding)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if b"\x00" in raw[:1000]:
        raise EncodingRejected(
            _(
                "The file looks like UTF-16 or UTF-32 text without a byte-order mark. Save it as "
                "CSV UTF-8."
            )
        )
    decoded = _chinese(raw)
    if decoded is None:
        line = raw.count(b"\n", 0, first_bad) + 1
        raise EncodingRejected(
            _("The file is not UTF-8, UTF-16, GB18030 (GBK) or Big5 text (line %(line)s, byte "
              "%(pos)s). Save it as CSV UTF-8.") % {"line": line, "pos": first_bad}
        )  # fmt: skip
    return decoded
