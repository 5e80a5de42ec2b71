"""Render workbooks as pictures: each .xlsx -> PDF (LibreOffice) -> PNG pages (pdftoppm).

    python scripts/render_workbooks.py reports/ --out reports/render

Looks at what a client sees when they print or export a workbook (``make render`` renders the
demo study's). Needs ``soffice`` (apt-get install libreoffice-calc) and ``pdftoppm``
(poppler-utils). Exit 2 with a message when one of them is missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def to_pdf(xlsx: Path, out_dir: Path, timeout: float = 180) -> Path:
    """Convert one workbook with headless LibreOffice (its own profile, so runs never clash)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileNotFoundError("soffice (LibreOffice) is not installed: apt-get install libreoffice-calc")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cxstats-lo-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out_dir), str(xlsx)], check=True, capture_output=True, timeout=timeout)
    pdf = out_dir / (xlsx.stem + ".pdf")
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no PDF for {xlsx.name}")
    return pdf


def to_png(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    """One PNG per page: OUT/STEM-1.png, OUT/STEM-2.png, ..."""
    if shutil.which("pdftoppm") is None:
        raise FileNotFoundError("pdftoppm is not installed: apt-get install poppler-utils")
    for old in out_dir.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out_dir / pdf.stem)], check=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", type=Path, help="workbooks, or folders holding them")
    ap.add_argument("--out", type=Path, default=Path("reports/render"), help="folder for PDFs and PNGs")
    ap.add_argument("--dpi", type=int, default=60)
    args = ap.parse_args(argv)
    books = []
    for p in args.inputs:
        books += sorted(p.glob("*.xlsx")) if p.is_dir() else [p]
    books = [b for b in books if not b.name.startswith((".", "~$"))]
    if not books:
        print("no .xlsx workbooks found", file=sys.stderr)
        return 2
    try:
        for book in books:
            pages = to_png(to_pdf(book, args.out), args.out, args.dpi)
            print(f"{book.name}: {len(pages)} page(s) -> {args.out}/{book.stem}-*.png")
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
