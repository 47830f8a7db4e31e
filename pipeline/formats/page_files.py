"""Page results handed over as files: `vnocr batch` has OCR'd the pages, the OCRmyPDF plugin
places their words on OCRmyPDF's page images (one JSON file per page, in a work folder).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from vnocr.results import BoxedWord, PageResult

#: OCRmyPDF names a page's work files "<page, 6 digits>_<step>" (e.g. 000001_ocr_hocr.hocr).
_OCRMYPDF_PAGE = re.compile(r"^(\d+)_")


def page_file(folder: Path, page: int) -> Path:
    """The file of page `page` (1-based) in `folder`."""
    return folder / f"page-{page:06d}.json"


def write_result(folder: Path, result: PageResult) -> None:
    """Save what the plugin needs of a page result: text, image size, boxed words."""
    record = {
        "text": result.text,
        "size": list(result.image_size or (0, 0)),
        "words": [[w.text, list(w.box), w.conf, w.block, w.par, w.line] for w in result.words],
    }
    page_file(folder, result.page).write_text(json.dumps(record, ensure_ascii=False), "utf-8")


def ocrmypdf_page(work_file: Path) -> int:
    """The page number in the name of one of OCRmyPDF's work files; ValueError if none."""
    match = _OCRMYPDF_PAGE.match(Path(work_file).name)
    if not match:
        raise ValueError(f"cannot tell the page number of {work_file}")
    return int(match.group(1))


def read_result(folder: Path, page: int, raster: tuple[int, int]) -> PageResult:
    """The saved result of `page`, its boxes scaled to a page image of size `raster`.

    A page that was not saved (not OCR'd) gives an empty result.
    """
    path = page_file(folder, page)
    if not path.is_file():
        return PageResult("", page, "", "", None, image_size=raster)
    record = json.loads(path.read_text("utf-8"))
    width, height = record["size"] or raster
    sx, sy = raster[0] / max(1, width), raster[1] / max(1, height)
    words = [
        BoxedWord(
            text,
            (round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy)),
            conf,
            block,
            par,
            line,
        )
        for text, box, conf, block, par, line in record["words"]
    ]
    return PageResult("", page, record["text"], "", None, words=words, image_size=raster)
