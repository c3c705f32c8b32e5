"""pdftotext (poppler-utils) for the briefing tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests._system import skip_or_fail


def pdf_text(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        skip_or_fail("pdftotext is not installed (scripts/install-system-deps.sh installs poppler-utils)")
    return subprocess.run(
        [exe, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def pdf_pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    """(number of pages, page size in points) from pdfinfo."""
    exe = shutil.which("pdfinfo")
    if exe is None:
        skip_or_fail("pdfinfo is not installed (poppler-utils)")
    info = subprocess.run([exe, str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    w, _, h = fields["Page size"].strip().split()[:3]
    return int(fields["Pages"]), (float(w), float(h))
