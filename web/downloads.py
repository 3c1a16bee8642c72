"""Files for the browser: the Content-Disposition header with a Japanese file name, and a set as one zip.

File names come from the server (the set's own names and the deal's title), never from the browser. The header
carries an ASCII fallback and the real name per RFC 6266 and RFC 8187 (formerly 5987), which every current browser
keeps: ``attachment; filename="keiyaku-3-v2.zip"; filename*=UTF-8''%E3%83%87…``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from urllib.parse import quote

_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed: the same version gives the same zip

MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".yaml": "application/yaml; charset=utf-8",
}


def safe_name(text: str, max_len: int = 60) -> str:
    """A readable file-name part: no separators, nothing reserved on Windows, nothing invisible, no leading dot."""
    cleaned = unicodedata.normalize("NFC", text or "")
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) not in _INVISIBLE)
    cleaned = _BAD.sub("_", cleaned)
    cleaned = re.sub(r"\s+", "_", cleaned)
    cleaned = re.sub(r"_+", "_", cleaned).strip("._ ")
    return cleaned[:max_len].rstrip("._ ")


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*``."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def media_type(name: str) -> str:
    for suffix, kind in MEDIA_TYPES.items():
        if name.endswith(suffix):
            return kind
    return "application/octet-stream"


def zip_set(files: dict[str, bytes], folder: str) -> bytes:
    """The files (relative path -> content) under one folder in a zip, in name order, with fixed dates and UTF-8
    names (the zip's language-encoding flag, which Windows Explorer, macOS and unzip read)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}" if folder else name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.flag_bits |= 0x800
            zf.writestr(info, files[name])
    return buf.getvalue()
