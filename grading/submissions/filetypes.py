"""Which uploaded files Microbridge accepts, decided by their content, not only their name.

Binary formats are recognised by their signatures (the ``filetype`` package) and, for ZIP
containers, by what is inside (a .docx is a ZIP holding word/document.xml). Anything without
a binary signature must be UTF-8 text without NUL bytes and carry a text, CSV or source-code
extension. Executables, media and unknown formats are refused. The media type stored (and
later served) is the one found here, never the one the browser claimed.
"""

from __future__ import annotations

import codecs
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

ALLOWED_SUMMARY = (
    "documents (PDF, Word, OpenDocument, RTF, text, Markdown), spreadsheets (Excel, "
    "OpenDocument, CSV), presentations, images (PNG, JPEG, GIF, WebP), archives (ZIP, tar, "
    "gzip, 7z) and source code"
)


class FileRefused(Exception):
    """The file's content is not one Microbridge accepts; the message says why."""


@dataclass(frozen=True)
class Kind:
    category: str
    media_type: str
    extensions: frozenset[str]


def _k(category: str, media_type: str, *extensions: str) -> Kind:
    return Kind(category, media_type, frozenset(extensions))


_IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "webp")
BINARY_KINDS: dict[str, Kind] = {
    "pdf": _k("document", "application/pdf", "pdf"),
    "rtf": _k("document", "application/rtf", "rtf"),
    "docx": _k("document", filetype.get_type(ext="docx").mime, "docx"),
    "pptx": _k("document", filetype.get_type(ext="pptx").mime, "pptx"),
    "xlsx": _k("spreadsheet", filetype.get_type(ext="xlsx").mime, "xlsx"),
    "odt": _k("document", "application/vnd.oasis.opendocument.text", "odt"),
    "odp": _k("document", "application/vnd.oasis.opendocument.presentation", "odp"),
    "ods": _k("spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "doc": _k("document", "application/msword", "doc"),
    "xls": _k("spreadsheet", "application/vnd.ms-excel", "xls"),
    "ppt": _k("document", "application/vnd.ms-powerpoint", "ppt"),
    "png": _k("image", "image/png", *_IMAGE_EXTENSIONS),
    "jpg": _k("image", "image/jpeg", *_IMAGE_EXTENSIONS),
    "gif": _k("image", "image/gif", *_IMAGE_EXTENSIONS),
    "webp": _k("image", "image/webp", *_IMAGE_EXTENSIONS),
    "zip": _k("archive", "application/zip", "zip"),
    "tar": _k("archive", "application/x-tar", "tar"),
    "gz": _k("archive", "application/gzip", "gz", "tgz"),
    "7z": _k("archive", "application/x-7z-compressed", "7z"),
}
_OLE = frozenset({"doc", "xls", "ppt"})
_ZIP_FAMILY = frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"})
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}

# A ZIP is judged by its central directory before anything is unpacked: an archive of 25 MB
# can declare gigabytes, or hundreds of thousands of entries that cost memory to list.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_UNPACKED = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 100
"""Unpacked size per packed byte: text compresses about tenfold, a bomb a thousandfold."""
ZIP_RATIO_FLOOR = 16 * 1024 * 1024
ZIP_MAX_DIRECTORY = 1024 * 1024
_MIMETYPE_MAX = 200
_NESTED_ARCHIVES = (".zip", ".jar", ".war", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar",
                    ".zst", ".lz", ".lzma", ".cab", ".apk")
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_CENTRAL_ENTRY = b"PK\x01\x02"

TEXT_KINDS: dict[str, Kind] = {
    "txt": _k("document", "text/plain", "txt"),
    "md": _k("document", "text/markdown", "md", "markdown"),
    "csv": _k("spreadsheet", "text/csv", "csv"),
    "tsv": _k("spreadsheet", "text/tab-separated-values", "tsv"),
}
CODE_EXTENSIONS = frozenset({
    "py", "ipynb", "r", "rmd", "sql", "js", "mjs", "ts", "tsx", "jsx", "java", "kt", "scala",
    "c", "h", "cpp", "hpp", "cc", "cs", "go", "rs", "rb", "php", "swift", "m", "jl", "sh",
    "ps1", "html", "css", "scss", "json", "xml", "yaml", "yml", "toml", "ini", "tex", "bib",
    "dart", "lua", "pl", "hs", "ex", "exs", "vue", "svelte", "dockerfile", "gradle",
})


# What a student calls a kind of file; media types ("application/x-msdownload") mean nothing
# to most people.
_PLAIN: dict[str, str] = {
    "exe": "an .exe program", "dll": "a Windows program library (.dll)",
    "elf": "a Linux program", "mach-o": "a macOS program", "msi": "a Windows installer (.msi)",
    "apk": "an Android app (.apk)", "dmg": "a macOS disk image (.dmg)",
    "pdf": "a PDF document", "docx": "a Word document", "doc": "a Word document",
    "xlsx": "an Excel spreadsheet", "xls": "an Excel spreadsheet",
    "pptx": "a PowerPoint presentation", "ppt": "a PowerPoint presentation",
    "odt": "an OpenDocument text", "ods": "an OpenDocument spreadsheet",
    "odp": "an OpenDocument presentation", "rtf": "an RTF document",
    "png": "a PNG image", "jpg": "a JPEG image", "jpeg": "a JPEG image", "gif": "a GIF image",
    "webp": "a WebP image", "bmp": "a BMP image", "tif": "a TIFF image", "heic": "a HEIC photo",
    "svg": "an SVG image", "zip": "a ZIP archive", "tar": "a tar archive",
    "gz": "a gzip archive", "7z": "a 7z archive", "rar": "a RAR archive",
    "mp4": "an MP4 video", "mov": "a QuickTime video", "avi": "an AVI video",
    "mp3": "an MP3 recording", "wav": "a WAV recording", "swf": "a Flash file",
    "sqlite": "a SQLite database", "class": "a Java class file", "jar": "a Java archive (.jar)",
}


def plain_kind(name: str) -> str:
    """'an .exe program', 'a PDF document', or 'a .xyz file' for anything else."""
    return _PLAIN.get(name, f"a .{name} file")


def extension(filename: str) -> str:
    _, dot, ext = filename.rpartition(".")
    return ext.lower() if dot else ""


def identify(path: Path, filename: str) -> Kind:
    """The kind of an uploaded file, or FileRefused saying why it is not accepted."""
    ext = extension(filename)
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise FileRefused(f"“{filename}” is empty.")
    guessed = filetype.guess(head)
    if guessed is None:
        return _text_kind(path, filename, ext)
    name = guessed.extension
    if name in _ZIP_FAMILY:
        name = _zip_kind(path, filename)
    elif name in _OLE:
        # An OLE container looks alike for Word, Excel and PowerPoint: the name decides.
        name = ext if ext in _OLE else name
    elif _has_zip_directory(path):
        # An image or PDF with a ZIP glued on is two files in one; accept neither.
        raise FileRefused(
            f"“{filename}” is {plain_kind(guessed.extension)} with a hidden ZIP archive inside, so it is "
            "not accepted. Upload the document and the archive as separate files."
        )
    kind = BINARY_KINDS.get(name)
    if kind is None:
        raise FileRefused(
            f"“{filename}” is {plain_kind(name)}, which Microbridge does not accept. "
            f"Accepted: {ALLOWED_SUMMARY}."
        )
    if ext and ext not in kind.extensions:
        raise FileRefused(
            f"“{filename}” is named .{ext} but it is {plain_kind(name)}. "
            "Rename it to match what it is, or upload the right file."
        )
    return kind


def _zip_kind(path: Path, filename: str) -> str:
    try:
        names = _checked_zip_names(path, filename)
        with zipfile.ZipFile(path) as archive:
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= _MIMETYPE_MAX:
                    with archive.open(info) as entry:  # at most a few bytes are inflated
                        raw = entry.read(_MIMETYPE_MAX)
                    mimetype = raw.decode("ascii", "replace").strip()
                    if mimetype in _ODF:
                        return _ODF[mimetype]
            for marker, kind in _OOXML.items():
                if marker in names:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise FileRefused(f"“{filename}” looks like a ZIP file but is damaged.") from None
    return "zip"


def _checked_zip_names(path: Path, filename: str) -> set[str]:
    """The entry names, read from the central directory within the caps, or FileRefused."""
    with path.open("rb") as handle:
        found = _central_directory(handle)
        if found is None:
            raise zipfile.BadZipFile("no end of central directory")
        entries, start, size = found
        if entries > ZIP_MAX_ENTRIES or size > ZIP_MAX_DIRECTORY:
            raise FileRefused(
                f"“{filename}” holds too many files (at most {ZIP_MAX_ENTRIES} are accepted in "
                "one archive). Remove build output or dependencies and zip it again."
            )
        handle.seek(start)
        directory = handle.read(size)
        packed = handle.seek(0, 2)
    allowed = min(ZIP_MAX_UNPACKED, max(ZIP_RATIO_FLOOR, ZIP_MAX_RATIO * packed))
    names: set[str] = set()
    unpacked = 0
    position = 0
    while position + 46 <= len(directory):
        if directory[position:position + 4] != _CENTRAL_ENTRY:
            raise zipfile.BadZipFile("bad central directory entry")
        (unpacked_size,) = struct.unpack_from("<I", directory, position + 24)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, position + 28)
        raw_name = directory[position + 46:position + 46 + name_len]
        name = raw_name.decode("utf-8", "replace")
        position += 46 + name_len + extra_len + comment_len
        # A ZIP64 size (0xFFFFFFFF here) is at least 4 GiB: over the cap in any case.
        unpacked += unpacked_size
        if len(names) >= ZIP_MAX_ENTRIES:
            raise FileRefused(f"“{filename}” holds too many files (at most {ZIP_MAX_ENTRIES}).")
        if unpacked > allowed:
            raise FileRefused(
                f"“{filename}” is too large when unpacked (more than {allowed // (1024 * 1024)} "
                "MB for a file of this size), so it is not accepted."
            )
        if name.lower().endswith(_NESTED_ARCHIVES):
            raise FileRefused(
                f"“{filename}” has an archive inside it ({name[:80]}). Put every file into "
                "one archive, without archives inside it."
            )
        names.add(name)
    return names


def _central_directory(handle: BinaryIO) -> tuple[int, int, int] | None:
    """(entries, start, size) of the central directory, found from the end records.

    The start is counted back from the end record, not taken from the recorded offset, so a
    ZIP glued behind other content is found where it really is (as unzip tools find it).
    """
    handle.seek(0, 2)
    length = handle.tell()
    tail_start = max(0, length - (22 + 65535))
    handle.seek(tail_start)
    tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    _disk, _cd_disk, _here, entries, size, _offset = struct.unpack_from("<HHHHII", tail, at + 4)
    end = tail_start + at
    locator = at - 20
    if locator >= 0 and tail[locator:locator + 4] == _ZIP64_LOCATOR:
        end = tail_start + locator - 56
        if end < 0:
            return None
        handle.seek(end)
        record = handle.read(56)
        if len(record) < 56 or record[:4] != _ZIP64_EOCD:
            return None
        entries, _total, size, _offset64 = struct.unpack_from("<QQQQ", record, 24)
    start = end - size
    if start < 0:
        return None
    return entries, start, size


def _has_zip_directory(path: Path) -> bool:
    with path.open("rb") as handle:
        found = _central_directory(handle)
        if found is None:
            return False
        entries, start, _size = found
        if entries == 0:
            return False
        handle.seek(start)
        return handle.read(4) == _CENTRAL_ENTRY


def _text_kind(path: Path, filename: str, ext: str) -> Kind:
    if not _is_utf8_text(path):
        raise FileRefused(
            f"Microbridge cannot tell what kind of file “{filename}” is, so it is not accepted. "
            f"Accepted: {ALLOWED_SUMMARY}."
        )
    if ext in TEXT_KINDS:
        return TEXT_KINDS[ext]
    if ext in CODE_EXTENSIONS or filename.lower() in {"dockerfile", "makefile"}:
        return _k("code", "text/plain", ext)
    raise FileRefused(
        f"“{filename}” is a text file, but .{ext or '(no extension)'} is not an accepted "
        "text type. Use .txt, .md, .csv, .tsv or a source code extension such as .py."
    )


def _is_utf8_text(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(64 * 1024):
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
