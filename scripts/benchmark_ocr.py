"""Benchmark OCR on generated Vietnamese pages: raw Tesseract vs preprocessing vs correction.

    .venv/bin/python scripts/benchmark_ocr.py [--pages-per-level 5] [--ablation]

Pages are rendered with scripts/pagegen.py at four levels: clean (300 dpi), scan (200 dpi, blur,
noise, JPEG, ~1 degree skew), poor (150 dpi, heavy blur and noise, JPEG 35, ~3 degree skew, the
last page turned 90 degrees) and speckle (150 dpi, ~0.8% of the pixels flipped to black, grey or
white, blur 1.1, JPEG 35, ~3 degree skew: still easy for a person to read). The text is a
built-in Vietnamese passage that no model of the project has seen. For every level it prints
CER/WER (vnocr.text.evaluate, micro-averaged over the pages) and seconds per page for: raw
`vie`; + preprocessing (`auto`); + correction; + correction
fed with Tesseract's word confidences.
On the scan level it also compares psm 3 vs 6 and `vie` vs `vie+eng` (both with preprocessing).
`--ablation` adds one row per single preprocessing step, which is how AUTO_STEPS was chosen.
Tesseract runs one page at a time (timings stay honest on a shared machine).
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from scripts.pagegen import degrade, find_fonts, font_label, render_page, wrap_words  # noqa: E402
from vnocr import api  # noqa: E402
from vnocr.image import preprocess  # noqa: E402
from vnocr.image.ocr import PageOCR, ocr_image  # noqa: E402
from vnocr.text.evaluate import compare  # noqa: E402
from vnocr.text.normalize import clean_unicode  # noqa: E402

LEVELS = ("clean", "scan", "poor", "speckle")
LINES_PER_PAGE = 28
FONT_SIZE_PT = 11.0
TEXT_WIDTH_IN = 6.5

# Built-in passage, written for this benchmark and used by nothing else.
BUILTIN_TEXT = """
Quyền được thông tin là một quyền cơ bản của công dân, được Hiến pháp ghi nhận và bảo đảm.
Nhà nước tạo điều kiện để mọi người tiếp cận thông tin một cách đầy đủ, chính xác và kịp thời.
Các cơ quan hành chính phải công khai quy trình, thủ tục và kết quả giải quyết hồ sơ của người dân.
Ủy ban nhân dân tỉnh đã chỉ đạo các sở, ngành rà soát văn bản quy phạm pháp luật trong năm nay.
Những quy định không còn phù hợp với thực tiễn sẽ được sửa đổi, bổ sung hoặc bãi bỏ kịp thời.
Theo báo cáo của Sở Kế hoạch và Đầu tư, tổng vốn đầu tư toàn xã hội tăng khoảng mười hai phần trăm.
Ngành giáo dục tiếp tục đổi mới phương pháp dạy học, chú trọng phát triển năng lực của học sinh.
Nhiều trường học ở vùng sâu, vùng xa đã được xây dựng kiên cố, có đủ phòng học và thư viện.
Người nông dân ở đồng bằng sông Cửu Long chuyển sang trồng lúa chất lượng cao và nuôi thủy sản.
Giá trị xuất khẩu gạo, cà phê, hạt điều và hải sản đều tăng so với cùng kỳ năm trước.
Bệnh viện tuyến huyện được trang bị thêm máy móc hiện đại để khám chữa bệnh cho nhân dân.
Đội ngũ bác sĩ trẻ được cử đi đào tạo chuyên sâu tại các bệnh viện lớn ở Hà Nội và Huế.
Hội nghị đã thảo luận kỹ lưỡng về kế hoạch phát triển kinh tế, xã hội giai đoạn năm năm tới.
Đại biểu đề nghị tăng cường kiểm tra, giám sát việc sử dụng ngân sách ở các địa phương.
Công tác phòng chống thiên tai, bão lũ được triển khai sớm, chủ động và có hiệu quả rõ rệt.
Lực lượng cứu hộ đã kịp thời sơ tán hàng nghìn hộ dân ra khỏi vùng nguy hiểm trước khi bão đổ bộ.
Văn hóa truyền thống của các dân tộc thiểu số được gìn giữ thông qua lễ hội và nghề thủ công.
Du khách trong nước và quốc tế đến tham quan vịnh Hạ Long, phố cổ Hội An ngày càng đông.
Thư viện tỉnh vừa số hóa hàng nghìn cuốn sách cổ, tài liệu quý hiếm và bản đồ địa chính xưa.
Người đọc có thể tra cứu trực tuyến những tài liệu này mà không cần đến tận nơi lưu trữ.
Chính quyền xã thường xuyên đối thoại với người dân để lắng nghe ý kiến và giải quyết kiến nghị.
Việc cấp giấy chứng nhận quyền sử dụng đất được thực hiện nhanh gọn, đúng quy định của pháp luật.
Thanh niên tình nguyện tham gia dọn vệ sinh môi trường, trồng cây xanh và giúp đỡ người già neo đơn.
Những tấm gương người tốt, việc tốt được biểu dương, khen thưởng kịp thời trước toàn thể cán bộ.
Trời đã về khuya, ngoài ngõ chỉ còn tiếng gió thổi qua hàng tre và ánh đèn dầu leo lét.
Bà cụ ngồi bên bếp lửa, kể cho lũ cháu nghe chuyện ngày xưa khi cả làng còn nghèo khó.
Mùa xuân năm ấy, cánh đồng phủ đầy hoa cải vàng, chim én bay lượn trên bầu trời trong xanh.
Ông ngoại tôi là thợ rèn, suốt đời gắn bó với chiếc đe, cái búa và ngọn lửa hồng trong lò.
"""


def source_sentences() -> list[str]:
    """Sentences for the pages: the built-in passage, which no model of the project was built
    from (lexicon/domain/corpus.txt is language-model training text, so correction measured on it
    would flatter the engine)."""
    lines = BUILTIN_TEXT.strip().splitlines()
    return [unicodedata.normalize("NFC", line.strip()) for line in lines if len(line.strip()) > 2]


@dataclass
class Page:
    """One generated page: the image and its ground-truth text."""

    level: str
    image: Image.Image
    truth: str
    font: str
    note: str = ""


def make_pages(level: str, count: int, seed: int = 0) -> list[Page]:
    """`count` pages of `level`, each with its own text window and font (deterministic)."""
    sentences = source_sentences()
    words = " ".join(sentences).split()
    fonts = find_fonts()
    if not fonts:
        raise SystemExit("no installed font covers Vietnamese (install fonts-dejavu or fonts-noto)")
    pages = []
    for i in range(count):
        font = fonts[(i + seed) % len(fonts)]
        start = (i * 137 + seed * 61) % len(words)
        window = (words[start:] + words[:start]) * 2
        lines = wrap_words(window, font, FONT_SIZE_PT, TEXT_WIDTH_IN)[:LINES_PER_PAGE]
        image = degrade(render_page(lines, font, FONT_SIZE_PT), level, seed=seed * 100 + i)
        note = f"skew {image.info.get('skew', 0.0):+.1f}"
        if level == "poor" and i == count - 1:
            dpi = image.info.get("dpi")
            image = image.rotate(90, expand=True)  # scanned sideways
            if dpi:
                image.info["dpi"] = dpi
            note += ", rotated 90"
        pages.append(Page(level, image, "\n".join(lines), font_label(font), note))
    return pages


@dataclass
class Row:
    """Accumulated figures of one configuration on one level."""

    level: str
    name: str
    char_distance: int = 0
    ref_chars: int = 0
    word_distance: int = 0
    ref_words: int = 0
    prep_seconds: float = 0.0
    ocr_seconds: float = 0.0
    correct_seconds: float = 0.0
    pages: int = 0
    per_page_cer: list[float] = field(default_factory=list)

    def add(self, truth: str, text: str, prep: float, ocr: float, corr: float = 0.0) -> None:
        """Add one page's result."""
        figures = compare(truth, text)
        self.char_distance += figures["char_distance"]
        self.ref_chars += figures["ref_chars"]
        self.word_distance += figures["word_distance"]
        self.ref_words += figures["ref_words"]
        self.prep_seconds += prep
        self.ocr_seconds += ocr
        self.correct_seconds += corr
        self.pages += 1
        self.per_page_cer.append(figures["cer"])

    def cells(self) -> list[str]:
        """Formatted table cells."""
        n = max(self.pages, 1)
        total = self.prep_seconds + self.ocr_seconds + self.correct_seconds
        return [
            self.level,
            self.name,
            f"{100 * self.char_distance / max(self.ref_chars, 1):6.2f}",
            f"{100 * self.word_distance / max(self.ref_words, 1):6.2f}",
            f"{self.prep_seconds / n:5.2f}",
            f"{self.ocr_seconds / n:5.2f}",
            f"{total / n:5.2f}",
            " ".join(f"{100 * c:.1f}" for c in self.per_page_cer),
        ]


def run_ocr(image: Image.Image, lang: str, psm: int) -> tuple[PageOCR, float]:
    """OCR result (words with confidences, text) and seconds."""
    start = time.perf_counter()
    page = ocr_image(image, lang, psm)
    return page, time.perf_counter() - start


def timed_prepare(image: Image.Image, mode: str) -> tuple[Image.Image, float]:
    """Prepared image and seconds."""
    start = time.perf_counter()
    prepared = preprocess.prepare(image, mode)
    return prepared, time.perf_counter() - start


class Correct:
    """The restoration engine, plain or fed with Tesseract's word confidences."""

    def __init__(self) -> None:
        from vnocr.restore.correct import Corrector

        self.corrector = Corrector()

    def __call__(self, page: PageOCR, with_confidences: bool = False) -> str:
        raw = clean_unicode(page.text)
        confidences = api.word_confidences(page.words, raw) if with_confidences else None
        return api.correct_text(raw, self.corrector, confidences).text


def benchmark(
    levels: list[str], count: int, ablation: bool, compare_scan: bool, seed: int
) -> list[Row]:
    """Run every configuration; return the table rows in print order."""
    correct = Correct()
    rows: list[Row] = []
    for level in levels:
        pages = make_pages(level, count, seed)
        raw = Row(level, "raw vie psm3")
        prep = Row(level, f"+ preprocess auto ({','.join(preprocess.AUTO_STEPS) or 'none'})")
        corr = Row(level, "+ correction")
        conf = Row(level, "+ confidence-aware correction")
        extra: dict[str, Row] = {}
        for page in pages:
            result, seconds = run_ocr(page.image, "vie", 3)
            raw.add(page.truth, result.text, 0.0, seconds)
            prepared, prep_s = timed_prepare(page.image, "auto")
            result, seconds = run_ocr(prepared, "vie", 3)
            prep.add(page.truth, result.text, prep_s, seconds)
            for row, with_confidences in ((corr, False), (conf, True)):
                start = time.perf_counter()
                corrected = correct(result, with_confidences)
                row.add(page.truth, corrected, prep_s, seconds, time.perf_counter() - start)
            if compare_scan and level == "scan":
                for name, lang, psm in (("auto, psm 6", "vie", 6), ("auto, vie+eng", "vie+eng", 3)):
                    result, seconds = run_ocr(prepared, lang, psm)
                    extra.setdefault(name, Row(level, name)).add(
                        page.truth, result.text, prep_s, seconds
                    )
            if ablation:
                modes = [
                    *preprocess.STEPS,
                    "orient,deskew,upscale",
                    "orient,deskew,denoise,upscale,binarize",
                ]
                for mode in modes:
                    image, prep_s2 = timed_prepare(page.image, mode)
                    result, seconds = run_ocr(image, "vie", 3)
                    extra.setdefault(mode, Row(level, f"only {mode}")).add(
                        page.truth, result.text, prep_s2, seconds
                    )
            print(f"  {level}: {page.font}, {page.note}", file=sys.stderr, flush=True)
        rows += [raw, prep, corr, conf, *extra.values()]
    return rows


def print_table(rows: list[Row]) -> None:
    """Print the rows as one aligned plain-text table."""
    header = [
        "level",
        "configuration",
        "CER %",
        "WER %",
        "prep s",
        "ocr s",
        "s/page",
        "CER % per page",
    ]
    table = [header] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    for i, cells in enumerate(table):
        print(
            "  ".join(
                c.ljust(w) if j < 2 else c.rjust(w)
                for j, (c, w) in enumerate(zip(cells, widths, strict=False))
            )
            + "  "
            + cells[-1]
        )
        if i == 0:
            print("-" * (sum(widths) + 2 * len(widths) + len(header[-1])))


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pages-per-level",
        type=int,
        default=5,
        metavar="N",
        help="generated pages per degradation level (default 5, 3-6 min)",
    )
    parser.add_argument(
        "--levels",
        default=",".join(LEVELS),
        help="comma-separated subset of clean,scan,poor,speckle",
    )
    parser.add_argument(
        "--ablation", action="store_true", help="also OCR with each preprocessing step alone (slow)"
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="skip the psm 6 and vie+eng rows on the scan level",
    )
    parser.add_argument("--seed", type=int, default=0, help="page generation seed")
    args = parser.parse_args(argv)
    levels = [lv.strip() for lv in args.levels.split(",") if lv.strip()]
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad or args.pages_per_level < 1:
        parser.error(f"bad --levels {bad} or --pages-per-level" if bad else "N must be >= 1")
    started = time.perf_counter()
    rows = benchmark(levels, args.pages_per_level, args.ablation, not args.no_compare, args.seed)
    print(
        f"{args.pages_per_level} generated page(s) per level, {LINES_PER_PAGE} lines of "
        f"{FONT_SIZE_PT:g} pt each; CER/WER micro-averaged; times are seconds per page."
    )
    print_table(rows)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
