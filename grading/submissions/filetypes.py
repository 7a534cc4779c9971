"""Which uploaded files Microbridge accepts, decided by their content, not only their name.

Binary formats are recognised by their signatures (the ``filetype`` package) and, for ZIP
containers, by what is inside (a .docx is a ZIP holding word/document.xml). Anything without
a binary signature must be UTF-8 text without NUL bytes and carry a text, CSV or source-code
extension. Executables, media and unknown formats are refused. The media type stored (and
later served) is the one found here, never the one the browser claimed.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
    kind = BINARY_KINDS.get(name)
    if kind is None:
        raise FileRefused(
            f"“{filename}” is a {guessed.mime} file, which Microbridge does not accept. "
            f"Accepted: {ALLOWED_SUMMARY}."
        )
    if ext and ext not in kind.extensions:
        raise FileRefused(
            f"“{filename}” is named .{ext} but its content is {kind.media_type}. "
            "Rename it to match what it is, or upload the right file."
        )
    return kind


def _zip_kind(path: Path, filename: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in _ODF:
                    return _ODF[mimetype]
            for marker, kind in _OOXML.items():
                if marker in names:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(f"“{filename}” looks like a ZIP file but is damaged.") from None
    return "zip"


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
