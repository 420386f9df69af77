"""Making text a server sent back safe to show: secrets scrubbed (raw, JSON-escaped, URL-encoded,
or in part) and terminal control characters escaped.

Used on every error message built from a response; the only input is text and the secrets.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable

from destgen_runtime.schema.mask import MASK

# A quoted run of this many characters of a secret is enough to help guess it.
FRAGMENT = 8
# Shorter values (test keys such as "k") would mask every such letter of a message; no real
# token, key or password is this short.
SHORTEST = 4


def forms(secret: str) -> set[str]:
    """The ways a server may echo ``secret``: as sent, JSON-escaped (with and without ASCII
    escapes), URL-encoded (path and form style).
    """
    found = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
    }
    return {f for f in found if f}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret, and every run of FRAGMENT or more characters of
    one, replaced by ``***``.
    """
    pieces: set[str] = set()
    for secret in secrets:
        for form in forms(secret):
            if len(form) < SHORTEST:
                continue
            if len(form) <= FRAGMENT:
                pieces.add(form)
            else:
                pieces.update(form[i : i + FRAGMENT] for i in range(len(form) - FRAGMENT + 1))
    covered = [False] * len(text)
    for piece in pieces:
        start = text.find(piece)
        while start != -1:
            covered[start : start + len(piece)] = [True] * len(piece)
            start = text.find(piece, start + 1)
    out: list[str] = []
    for index, char in enumerate(text):
        if not covered[index]:
            out.append(char)
        elif index == 0 or not covered[index - 1]:
            out.append(MASK)
    return "".join(out)


# C0 controls but tab and newline, DEL, C1 controls, the bidirectional marks and overrides that
# reorder what a terminal shows, zero-width and invisible format characters, and the Unicode line
# separators: a server must not move the cursor, recolour or disguise our output.
_FORMAT = "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")
# The same, newline and tab included: text that must stay on its one line (a plan line, a name).
_CONTROL_OR_BREAK = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str) -> str:
    r"""``text`` with every terminal control character shown as a ``\xNN``/``\uNNNN`` escape."""
    return _CONTROL.sub(_escape, text)


def one_line(text: str) -> str:
    r"""``printable``, newlines and tabs escaped too: server text that cannot forge another line
    of a plan or a listing.
    """
    return _CONTROL_OR_BREAK.sub(_escape, text)
