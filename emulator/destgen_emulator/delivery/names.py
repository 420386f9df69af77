"""File and folder names as Experience Platform forms them: ``filenameTemplate`` macros
(%DESTINATION_NAME%, %SEGMENT_ID%, %SEGMENT_NAME%, %TIMESTAMP%, %DATETIME(...)%, custom text) and
the ``path`` macros (%SEGMENT_NAME%, %SEGMENT_ID%).

Every name that reaches a file system is made safe here: no separators, no ``..``, no control
characters, at most 255 bytes. A template or an audience name is untrusted input.
"""

from __future__ import annotations

import datetime as dt
import re

# The Java-style tokens the docs' DATETIME examples use (YYYYMMdd_HHmmss), longest first.
_DATETIME_TOKENS = (
    ("YYYY", "%Y"),
    ("yyyy", "%Y"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("DD", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
)
_DATETIME = re.compile(r"%?DATETIME\(([^)]*)\)%?")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
MAX_NAME_BYTES = 255


def datetime_text(pattern: str, when: dt.datetime) -> str:
    """``YYYYMMdd_HHmmss`` -> ``20261202_093000``: each token replaced, the rest kept."""
    out, i = [], 0
    while i < len(pattern):
        for token, code in _DATETIME_TOKENS:
            if pattern.startswith(token, i):
                out.append(when.strftime(code))
                i += len(token)
                break
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def expand(
    template: str, *, destination: str, audience_id: str, audience_name: str, when: dt.datetime
) -> str:
    """``template`` with every documented macro replaced; unknown ``%...%`` text is kept as the
    custom text it is (the docs' own ``%this is custom text%``, percent signs dropped).
    """
    text = _DATETIME.sub(lambda m: datetime_text(m.group(1), when), template)
    text = (
        text.replace("%DESTINATION_NAME%", destination)
        .replace("%SEGMENT_ID%", audience_id)
        .replace("%SEGMENT_NAME%", audience_name)
        .replace("%TIMESTAMP%", str(int(when.timestamp())))
    )
    return text.replace("%", "")


def safe_part(text: str) -> str:
    """One path part a file system takes as a name and never as a way out of its folder."""
    cleaned = _UNSAFE.sub("_", text).strip(" .") or "_"
    encoded = cleaned.encode("utf-8")[:MAX_NAME_BYTES]
    return encoded.decode("utf-8", errors="ignore") or "_"


def safe_folder(path: str) -> tuple[str, ...]:
    """A ``path`` param as folder parts: split on ``/``, empty and ``.``/``..`` parts dropped."""
    return tuple(safe_part(p) for p in path.split("/") if p.strip() not in ("", ".", ".."))


def expand_folder(
    template: str,
    *,
    dataset_id: str,
    destination: str,
    instance_name: str,
    instance_id: str,
    sandbox: str,
    organization: str,
    when: dt.datetime,
) -> str:
    """A dataset export's ``folderNameTemplate`` with its documented tokens replaced
    (%DATASET_ID%, %DESTINATION%, %DATETIME(...)%, %EXPORT_TIME%, %DESTINATION_INSTANCE_NAME%,
    %DESTINATION_INSTANCE_ID%, %SANDBOX_NAME%, %ORGANIZATION_NAME%).
    """
    text = _DATETIME.sub(lambda m: datetime_text(m.group(1), when), template)
    for token, value in (
        ("%DATASET_ID%", dataset_id),
        ("%DESTINATION_INSTANCE_NAME%", instance_name),
        ("%DESTINATION_INSTANCE_ID%", instance_id),
        ("%DESTINATION%", destination),
        ("%EXPORT_TIME%", export_time(when)),
        ("%SANDBOX_NAME%", sandbox),
        ("%ORGANIZATION_NAME%", organization),
    ):
        text = text.replace(token, value)
    return text.replace("%", "")


def export_time(when: dt.datetime) -> str:
    """``exportTime=YYYYMMDDHHMM``: the folder every dataset export run writes into."""
    return "exportTime=" + when.strftime("%Y%m%d%H%M")
