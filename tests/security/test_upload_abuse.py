"""Upload abuse: archives and polyglots that try to exhaust memory or smuggle content.

Each hostile file goes through the real upload path (staged, checked by content) in a fresh
Python process whose peak memory is read before and after: every one is refused, the peak
grows by less than 50 MB, and nothing is left in the file store. Ordinary archives and
office documents are still accepted, so the checks cannot pass by refusing everything.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MB = 1024 * 1024

_PROBE = r"""
import json, sys
from pathlib import Path
from grading.submissions.storage import LocalFolderStore
from grading.submissions.service import Limits, Upload, UploadRefused, stage_uploads

def peak_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM")

store_root = Path(sys.argv[1])
store = LocalFolderStore(store_root)
limits = Limits(file_bytes=25 * 1024 * 1024, submission_bytes=100 * 1024 * 1024)
before = peak_kib()
results = {}
for arg in sys.argv[2:]:
    path = Path(arg)
    try:
        with path.open("rb") as stream:
            staged = stage_uploads(store, [Upload(path.name, stream)], limits)
        results[path.name] = "accepted:" + staged[0].kind.media_type
        for item in staged:
            store.discard(item.staged)
    except UploadRefused as refusal:
        results[path.name] = "refused:" + refusal.message
stored = sorted(str(p.relative_to(store_root)) for p in store_root.rglob("*") if p.is_file())
print(json.dumps({"grew_kib": peak_kib() - before, "results": results, "stored": stored}))
"""


def _zip_bomb(path: Path, *, megabytes: int) -> None:
    """An OpenDocument-looking ZIP whose ``mimetype`` entry inflates to ``megabytes``."""
    zeros = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w") as entry:
            for _ in range(megabytes):
                entry.write(zeros)
        archive.writestr("content.xml", "<office:document-content/>")


def _many_entries(path: Path, count: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"f{n}", b"")


def _small_zip(**entries: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name.replace("__", "/").replace("_dot_", "."), data)
    return buffer.getvalue()


def _probe(tmp_path: Path, files: list[Path]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "store"), *map(str, files)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files: list[Path] = []

    bomb = folder / "report.odt"
    _zip_bomb(bomb, megabytes=300)
    files.append(bomb)

    crowded = folder / "crowded.zip"
    _many_entries(crowded, 20_000)
    files.append(crowded)

    inner = _small_zip(readme_dot_txt=b"hello")
    nested = folder / "nested.zip"
    nested.write_bytes(_small_zip(notes_dot_txt=b"notes", inner_dot_zip=inner))
    files.append(nested)
    nested_tar = folder / "layered.zip"
    nested_tar.write_bytes(_small_zip(data__layer_dot_tar_dot_gz=b"\x1f\x8b\x08\x00" + bytes(40)))
    files.append(nested_tar)

    # Polyglots: a valid image or PDF head with a ZIP glued on (the "GIFAR" trick).
    png = folder / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64) + _small_zip(evil_dot_html=b"<script>"))
    files.append(png)
    pdf = folder / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
                    + _small_zip(payload_dot_js=b"alert(1)"))
    files.append(pdf)
    return files


def test_hostile_archives_and_polyglots_are_refused_without_memory_growth(
    tmp_path: Path, hostile: list[Path]
) -> None:
    assert hostile[0].stat().st_size < 2 * MB  # a small upload that inflates to 300 MB
    outcome = _probe(tmp_path, hostile)
    results = outcome["results"]
    assert isinstance(results, dict)
    not_refused = {name: r for name, r in results.items() if not r.startswith("refused:")}
    assert not not_refused, not_refused
    assert outcome["stored"] == [], "a refused upload left files in the store"
    grew = outcome["grew_kib"]
    assert isinstance(grew, int) and grew < 50 * 1024, f"peak memory grew by {grew} KiB"


def test_refusals_say_what_is_wrong(tmp_path: Path, hostile: list[Path]) -> None:
    results = _probe(tmp_path, hostile)["results"]
    assert isinstance(results, dict)
    assert "too large when unpacked" in results["report.odt"]
    assert "too many files" in results["crowded.zip"]
    assert "archive inside" in results["nested.zip"]
    assert "archive inside" in results["layered.zip"]
    assert "hidden ZIP archive" in results["photo.png"]
    assert "hidden ZIP archive" in results["paper.pdf"]


def test_ordinary_archives_and_documents_are_still_accepted(tmp_path: Path) -> None:
    folder = tmp_path / "ok"
    folder.mkdir()
    code = folder / "code.zip"
    code.write_bytes(_small_zip(src__main_dot_py=b"print(1)\n" * 1000, README_dot_md=b"# hi"))
    odt = folder / "essay.odt"
    odt.write_bytes(_small_zip(mimetype=b"application/vnd.oasis.opendocument.text",
                               content_dot_xml=b"<office:document-content/>"))
    docx = folder / "memo.docx"
    docx.write_bytes(_small_zip(word__document_dot_xml=b"<w:document/>"))
    png = folder / "chart.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    results = _probe(tmp_path, [code, odt, docx, png])["results"]
    assert results == {
        "code.zip": "accepted:application/zip",
        "essay.odt": "accepted:application/vnd.oasis.opendocument.text",
        "memo.docx": "accepted:application/vnd.openxmlformats-officedocument."
                     "wordprocessingml.document",
        "chart.png": "accepted:image/png",
    }
