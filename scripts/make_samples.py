#!/usr/bin/env python3
"""Render the committed sample documents in samples/ (deterministic: fixed seeds and dates).

The text below is invented, in the style of Vietnamese administrative reports (old tone-mark
placement: hòa, thủy, ủy). Each page is drawn with Pillow and a TTF font that covers
Vietnamese, at 300 dpi on A4, in grayscale. Outputs, each with `<name>.gt.txt` beside it
(ground truth, pages separated by a form feed):

  report_clean.png      1 page, clean rendering (Liberation Serif)
  report_scan.jpg       the same page, scan-like: 1 degree skew, blur, noise, JPEG quality 60
  plan_2p.tif           2 pages, deflate-compressed multi-page TIFF (Noto Serif)
  decision_3p.pdf       3 pages, JPEG images inside a PDF at 300 dpi (DejaVu Serif)

Run: .venv/bin/python scripts/make_samples.py [--out samples]
"""

from __future__ import annotations

import argparse
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
PAGE_SIZE = (2480, 3508)  # A4 at 300 dpi
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 330, 220, 240, 240
FONT_PT = 13
LINE_SPACING = 1.4
PDF_DATE = time.struct_time((2024, 1, 1, 0, 0, 0, 0, 1, 0))
FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts"))
FAMILIES = {
    "liberation": (
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
    ),
    "noto": ("NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf"),
    "dejavu": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"),
}

# A page is a list of (style, text). Styles: C = centred bold, c = centred regular,
# R = right-aligned italic, H = bold heading (left), P = paragraph (first line indented),
# L = plain left line, "-" = short centred rule (not text), "" = vertical space.
Page = list[tuple[str, str]]

MOTTO: Page = [
    ("C", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("C", "Độc lập - Tự do - Hạnh phúc"),
    ("-", ""),
]

REPORT: Page = [
    *MOTTO,
    ("L", "HUYỆN ỦY TÂN PHÚ HÒA"),
    ("L", "Số: 142-BC/HU"),
    ("R", "Tân Phú Hòa, ngày 12 tháng 9 năm 2023"),
    ("", ""),
    ("C", "BÁO CÁO"),
    ("C", "Sơ kết 10 năm thực hiện Nghị quyết số 25-NQ/TW ngày 03/6/2013"),
    ("C", "của Ban Chấp hành Trung ương về công tác dân vận"),
    ("-", ""),
    ("H", "I. TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN"),
    ("H", "1. Công tác lãnh đạo, chỉ đạo"),
    (
        "P",
        "Thực hiện Chỉ thị số 15-CT/TU ngày 20/8/2013 của Ban Thường vụ Tỉnh ủy, Ban Thường "
        "vụ Huyện ủy đã ban hành kế hoạch triển khai Nghị quyết đến toàn thể cán bộ, đảng viên "
        "và quần chúng nhân dân. Ủy ban nhân dân huyện chỉ đạo các phòng, ban chuyên môn xây "
        "dựng chương trình hành động cụ thể, phân công trách nhiệm rõ ràng cho từng cơ quan, "
        "đơn vị.",
    ),
    (
        "P",
        "Sau 10 năm, toàn huyện đã tổ chức 126 hội nghị quán triệt với hơn 9.450 lượt người "
        "tham dự; tỷ lệ cán bộ, đảng viên được học tập đạt 98,6%. Công tác kiểm tra, giám sát "
        "được duy trì thường xuyên, kịp thời phát hiện và khắc phục những hạn chế ở cơ sở.",
    ),
    ("H", "2. Kết quả cụ thể"),
    (
        "P",
        'a) Về phát triển kinh tế: Phong trào thi đua "Dân vận khéo" gắn với xây dựng nông '
        "thôn mới được hưởng ứng rộng rãi. Nhân dân tự nguyện hiến 38.500 m2 đất, đóng góp "
        "12,7 tỷ đồng để làm đường giao thông, kênh mương thủy lợi và nhà văn hóa thôn. Đến "
        "nay, 14/16 xã đạt chuẩn nông thôn mới, thu nhập bình quân đầu người đạt 58,2 triệu "
        "đồng/năm.",
    ),
    (
        "P",
        "b) Về văn hóa - xã hội: Công tác xóa đói, giảm nghèo đạt nhiều kết quả; tỷ lệ hộ "
        "nghèo giảm từ 9,4% năm 2013 xuống còn 2,1% năm 2022. Các tổ hòa giải ở cơ sở đã hòa "
        "giải thành 312/347 vụ việc, góp phần giữ vững an ninh, trật tự và sự hòa thuận trong "
        "cộng đồng dân cư.",
    ),
    (
        "P",
        "c) Về y tế: Chương trình chăm sóc sức khỏe ban đầu cho nhân dân được triển khai đồng "
        "bộ; 100% trạm y tế xã có bác sĩ, tỷ lệ người dân tham gia bảo hiểm y tế đạt 93,5%.",
    ),
    ("H", "II. HẠN CHẾ VÀ NGUYÊN NHÂN"),
    (
        "P",
        "Một số cấp ủy, chính quyền cơ sở chưa quan tâm đúng mức đến công tác dân vận; việc "
        "tiếp xúc, đối thoại với nhân dân có nơi còn hình thức. Tình trạng khiếu nại, tố cáo "
        "liên quan đến đất đai vẫn còn xảy ra, tùy từng thời điểm có diễn biến phức tạp.",
    ),
]

PLAN_PAGE_1: Page = [
    *MOTTO,
    ("L", "ỦY BAN NHÂN DÂN XÃ HÒA AN"),
    ("L", "Số: 57/KH-UBND"),
    ("R", "Hòa An, ngày 05 tháng 3 năm 2024"),
    ("", ""),
    ("C", "KẾ HOẠCH"),
    ("C", "Triển khai công tác phòng, chống thiên tai và tìm kiếm cứu nạn năm 2024"),
    ("-", ""),
    (
        "P",
        "Căn cứ Luật Phòng, chống thiên tai năm 2013; căn cứ Quyết định số 1120/QĐ-UBND ngày "
        "18/01/2024 của Ủy ban nhân dân huyện về việc kiện toàn Ban Chỉ huy phòng, chống "
        "thiên tai và tìm kiếm cứu nạn, Ủy ban nhân dân xã ban hành Kế hoạch như sau:",
    ),
    ("H", "I. MỤC ĐÍCH, YÊU CẦU"),
    (
        "P",
        "1. Chủ động phòng ngừa, ứng phó kịp thời, khắc phục khẩn trương và có hiệu quả hậu "
        "quả do thiên tai gây ra; giảm đến mức thấp nhất thiệt hại về người và tài sản của "
        "Nhà nước và nhân dân.",
    ),
    (
        "P",
        '2. Phát huy vai trò của cả hệ thống chính trị theo phương châm "bốn tại chỗ": chỉ '
        "huy tại chỗ, lực lượng tại chỗ, phương tiện và vật tư tại chỗ, hậu cần tại chỗ.",
    ),
    ("H", "II. NHIỆM VỤ TRỌNG TÂM"),
    (
        "P",
        "1. Rà soát, bổ sung phương án sơ tán dân ở 4 thôn ven sông; kiểm tra 3 hồ chứa "
        "thủy lợi và 12,5 km đê bao trước ngày 30/4/2024. Thôn Đông Hòa và thôn Phú Thủy "
        "bố trí điểm tập kết an toàn cho 215 hộ với khoảng 860 nhân khẩu.",
    ),
    (
        "P",
        "2. Dự trữ lương thực, thuốc men, áo phao và phao cứu sinh; mỗi hộ trong vùng "
        "trũng chuẩn bị ít nhất 10 kg gạo, nước uống và đèn pin. Trạm y tế xã bảo đảm cơ số "
        "thuốc chăm sóc sức khỏe cho người dân khi có lũ.",
    ),
]

PLAN_PAGE_2: Page = [
    (
        "P",
        "3. Tổ chức tập huấn kỹ năng ứng phó cho 120 thành viên đội xung kích; phối hợp với "
        "Trường Trung học cơ sở Hòa An mở 2 khóa dạy bơi cho học sinh trong dịp hè.",
    ),
    (
        "P",
        "4. Tuyên truyền trên hệ thống loa truyền thanh vào 6 giờ sáng và 17 giờ chiều các "
        "ngày thứ Hai, thứ Tư, thứ Sáu về dấu hiệu nhận biết sạt lở, lũ quét, giông lốc.",
    ),
    ("H", "III. KINH PHÍ THỰC HIỆN"),
    (
        "P",
        "Tổng kinh phí dự kiến là 186.400.000 đồng (Một trăm tám mươi sáu triệu bốn trăm "
        "nghìn đồng), trong đó: ngân sách xã 120.000.000 đồng; Quỹ phòng, chống thiên tai "
        "46.400.000 đồng; nguồn xã hội hóa 20.000.000 đồng.",
    ),
    ("H", "IV. TỔ CHỨC THỰC HIỆN"),
    (
        "P",
        "1. Công chức Địa chính - Xây dựng chủ trì, tham mưu Ủy ban nhân dân xã theo dõi, "
        "đôn đốc việc thực hiện Kế hoạch; tổng hợp, báo cáo kết quả về huyện trước ngày "
        "15/12/2024.",
    ),
    (
        "P",
        "2. Công an xã, Ban Chỉ huy Quân sự xã bố trí lực lượng trực 24/24 giờ trong mùa "
        "mưa bão, sẵn sàng hỗ trợ di dời người và tài sản khi có lệnh.",
    ),
    (
        "P",
        "3. Đề nghị Ủy ban Mặt trận Tổ quốc và các đoàn thể vận động hội viên tham gia, tùy "
        "theo điều kiện thực tế của từng thôn.",
    ),
    ("", ""),
    ("R", "TM. ỦY BAN NHÂN DÂN"),
    ("R", "CHỦ TỊCH"),
    ("", ""),
    ("R", "Trần Minh Khoa"),
]

DECISION_PAGE_1: Page = [
    *MOTTO,
    ("L", "ỦY BAN NHÂN DÂN HUYỆN THỦY SƠN"),
    ("L", "Số: 2318/QĐ-UBND"),
    ("R", "Thủy Sơn, ngày 27 tháng 11 năm 2023"),
    ("", ""),
    ("C", "QUYẾT ĐỊNH"),
    ("C", "Về việc phê duyệt Đề án phát triển thủy lợi nội đồng giai đoạn 2024 - 2026"),
    ("-", ""),
    ("C", "ỦY BAN NHÂN DÂN HUYỆN THỦY SƠN"),
    ("", ""),
    (
        "P",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015; Luật sửa đổi, bổ sung "
        "một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày "
        "22/11/2019;",
    ),
    (
        "P",
        "Căn cứ Luật Thủy lợi ngày 19/6/2017; Nghị quyết số 08-NQ/HU ngày 14/7/2021 của "
        "Ban Chấp hành Đảng bộ huyện về phát triển nông nghiệp hàng hóa;",
    ),
    (
        "P",
        "Theo đề nghị của Trưởng phòng Nông nghiệp và Phát triển nông thôn tại Tờ trình số "
        "96/TTr-NN ngày 10/11/2023.",
    ),
    ("C", "QUYẾT ĐỊNH:"),
    (
        "P",
        "Điều 1. Phê duyệt Đề án phát triển thủy lợi nội đồng giai đoạn 2024 - 2026 với "
        "các nội dung chủ yếu sau đây:",
    ),
    (
        "P",
        "1. Mục tiêu: Kiên cố hóa 42,8 km kênh mương nội đồng; bảo đảm tưới chủ động cho "
        "3.150 ha lúa và 620 ha rau màu, cây ăn quả; giảm chi phí sản xuất, nâng cao thu "
        "nhập và cải thiện đời sống, sức khỏe của nông dân.",
    ),
]

DECISION_PAGE_2: Page = [
    (
        "P",
        "2. Phạm vi thực hiện: Trên địa bàn 11 xã, thị trấn, ưu tiên các xã Hòa Bình, Thúy "
        "Lộc, Quỳnh Lâm là những địa phương thường xuyên bị hạn hán vào mùa khô.",
    ),
    ("P", "3. Giải pháp chủ yếu:"),
    (
        "P",
        "a) Quy hoạch lại hệ thống kênh tưới, kênh tiêu phù hợp với việc dồn điền, đổi "
        "thửa; kết hợp giao thông nội đồng với bờ kênh để thuận lợi cho cơ giới hóa.",
    ),
    (
        "P",
        "b) Thực hiện cơ chế Nhà nước hỗ trợ xi măng, nhân dân đóng góp cát, sỏi và ngày "
        "công lao động; mức hỗ trợ tùy theo loại kênh, tối đa 65% giá trị vật liệu.",
    ),
    (
        "P",
        "c) Củng cố các tổ hợp tác dùng nước; bồi dưỡng kiến thức quản lý, vận hành công "
        "trình cho 230 lượt cán bộ thủy nông cơ sở.",
    ),
    (
        "P",
        "4. Kinh phí: Tổng mức đầu tư dự kiến 54,6 tỷ đồng, trong đó ngân sách tỉnh 21,3 "
        "tỷ đồng, ngân sách huyện 15,0 tỷ đồng, ngân sách xã 8,1 tỷ đồng và nhân dân đóng "
        "góp 10,2 tỷ đồng. Lũy kế đến hết năm 2026 hoàn thành 100% khối lượng.",
    ),
    (
        "P",
        "5. Tiến độ: Năm 2024 thực hiện 15,2 km; năm 2025 thực hiện 14,6 km; năm 2026 thực "
        "hiện 13,0 km và tổng kết Đề án vào quý IV năm 2026.",
    ),
    ("P", "Điều 2. Tổ chức thực hiện"),
    (
        "P",
        "1. Phòng Nông nghiệp và Phát triển nông thôn là cơ quan thường trực, chủ trì hướng "
        "dẫn các xã lập danh mục công trình, hồ sơ thiết kế và dự toán theo quy định.",
    ),
    (
        "P",
        "2. Phòng Tài chính - Kế hoạch cân đối, bố trí vốn hằng năm; hướng dẫn thanh toán, "
        "quyết toán và kiểm tra việc sử dụng hóa đơn, chứng từ.",
    ),
]

DECISION_PAGE_3: Page = [
    (
        "P",
        "3. Ủy ban nhân dân các xã, thị trấn thành lập Ban quản lý công trình, công khai "
        "mức đóng góp của từng hộ, thỏa thuận với nhân dân về phương án giải phóng mặt bằng.",
    ),
    ("P", "Điều 3. Quyết định này có hiệu lực kể từ ngày ký."),
    (
        "P",
        "Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện, Trưởng phòng Nông "
        "nghiệp và Phát triển nông thôn, Trưởng phòng Tài chính - Kế hoạch, Chủ tịch Ủy ban "
        "nhân dân các xã, thị trấn và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi "
        "hành Quyết định này./.",
    ),
    ("", ""),
    ("L", "Nơi nhận:"),
    ("L", "- Như Điều 3;"),
    ("L", "- Sở Nông nghiệp và PTNT (b/c);"),
    ("L", "- TT Huyện ủy, TT HĐND huyện (b/c);"),
    ("L", "- Chủ tịch, các PCT UBND huyện;"),
    ("L", "- Lưu: VT, NN."),
    ("", ""),
    ("R", "TM. ỦY BAN NHÂN DÂN"),
    ("R", "KT. CHỦ TỊCH"),
    ("R", "PHÓ CHỦ TỊCH"),
    ("", ""),
    ("", ""),
    ("R", "Nguyễn Thị Thủy"),
]


@dataclass
class Fonts:
    """Regular, bold and italic faces of one family at the body size."""

    regular: ImageFont.FreeTypeFont
    bold: ImageFont.FreeTypeFont
    italic: ImageFont.FreeTypeFont


def find_font(name: str) -> Path:
    """Path of an installed TTF file by file name."""
    for folder in FONT_DIRS:
        for path in sorted(folder.rglob(name)):
            return path
    raise SystemExit(
        f"make_samples: font {name} not found (sudo apt-get install "
        "fonts-dejavu-core fonts-noto-core fonts-liberation2)"
    )


def load_fonts(family: str) -> Fonts:
    """Load a font family at FONT_PT points for DPI."""
    size = round(FONT_PT / 72 * DPI)
    regular, bold, italic = (
        ImageFont.truetype(str(find_font(name)), size) for name in FAMILIES[family]
    )
    return Fonts(regular, bold, italic)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    canvas = Image.new("L", (font.size * 2, font.size * 2), 0)
    ImageDraw.Draw(canvas).text((0, 0), char, font=font, fill=255)
    return canvas.tobytes()


def check_coverage(font: ImageFont.FreeTypeFont, text: str) -> None:
    """Fail if the font draws any character of `text` as the missing-glyph box."""
    missing = _glyph(font, "\U0010fffd")
    for char in sorted(set(text) - {" ", "\n", "\f"}):
        if _glyph(font, char) == missing:
            raise SystemExit(f"make_samples: font {font.path} has no glyph for {char!r}")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, indent: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the first line is `indent` pixels narrower."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        limit = width - (indent if not lines else 0)
        if current and font.getlength(trial) > limit:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def render_page(page: Page, fonts: Fonts) -> tuple[Image.Image, str]:
    """Draw one page; return the image and its ground-truth text (one line per drawn line)."""
    image = Image.new("L", PAGE_SIZE, 255)
    draw = ImageDraw.Draw(image)
    width = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT
    line_height = round(fonts.regular.size * LINE_SPACING)
    indent = round(0.5 * DPI)
    y = MARGIN_TOP
    truth: list[str] = []
    for style, text in page:
        if style == "":
            y += line_height // 2
            continue
        if style == "-":
            middle = PAGE_SIZE[0] // 2
            draw.line((middle - 250, y + 10, middle + 250, y + 10), fill=0, width=3)
            y += line_height // 2
            continue
        font = {"C": fonts.bold, "H": fonts.bold, "R": fonts.italic}.get(style, fonts.regular)
        first_indent = indent if style == "P" else 0
        for number, line in enumerate(wrap(text, font, width, first_indent)):
            length = font.getlength(line)
            if style in ("C", "c"):
                x = MARGIN_LEFT + (width - length) / 2
            elif style == "R":
                x = PAGE_SIZE[0] - MARGIN_RIGHT - length - 150
            else:
                x = MARGIN_LEFT + (first_indent if number == 0 else 0)
            draw.text((x, y), line, font=font, fill=0)
            truth.append(line)
            y += line_height
        if style == "P":
            y += line_height // 4
        if y > PAGE_SIZE[1] - MARGIN_BOTTOM:
            raise SystemExit("make_samples: text overflows the page; shorten it")
    return image, "\n".join(truth) + "\n"


def scan_like(image: Image.Image, seed: int) -> Image.Image:
    """Slight blur, ~1 degree skew, grey paper and Gaussian noise (deterministic by seed)."""
    rng = np.random.default_rng(seed)
    skewed = image.rotate(1.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    blurred = skewed.filter(ImageFilter.GaussianBlur(radius=1.1))
    pixels = np.asarray(blurred, dtype=np.float32)
    pixels = 28 + pixels * (232 - 28) / 255  # grey ink on off-white paper
    pixels += rng.normal(0.0, 9.0, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def render(pages: list[Page], family: str) -> tuple[list[Image.Image], str]:
    """Render pages in one font family; ground truth pages joined by form feeds."""
    fonts = load_fonts(family)
    images: list[Image.Image] = []
    truths: list[str] = []
    for page in pages:
        image, truth = render_page(page, fonts)
        for face in (fonts.regular, fonts.bold, fonts.italic):
            check_coverage(face, truth)
        images.append(image)
        truths.append(unicodedata.normalize("NFC", truth))
    return images, "\f".join(truths)


def write_truth(path: Path, truth: str) -> None:
    """Write a ground-truth file (UTF-8, NFC, LF)."""
    path.write_text(truth, encoding="utf-8", newline="\n")


def main() -> None:
    """Render every sample into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "samples")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)

    (clean,), truth = render([REPORT], "liberation")
    clean.save(out / "report_clean.png", dpi=(DPI, DPI), optimize=True)
    write_truth(out / "report_clean.gt.txt", truth)
    scan_like(clean, seed=20240601).save(out / "report_scan.jpg", dpi=(DPI, DPI), quality=60)
    write_truth(out / "report_scan.gt.txt", truth)

    plan, truth = render([PLAN_PAGE_1, PLAN_PAGE_2], "noto")
    plan[0].save(
        out / "plan_2p.tif",
        save_all=True,
        append_images=plan[1:],
        compression="tiff_adobe_deflate",
        dpi=(DPI, DPI),
    )
    write_truth(out / "plan_2p.gt.txt", truth)

    decision, truth = render([DECISION_PAGE_1, DECISION_PAGE_2, DECISION_PAGE_3], "dejavu")
    decision[0].save(
        out / "decision_3p.pdf",
        save_all=True,
        append_images=decision[1:],
        resolution=DPI,
        quality=75,
        creationDate=PDF_DATE,
        modDate=PDF_DATE,
        title="decision_3p",
    )
    write_truth(out / "decision_3p.gt.txt", truth)

    for path in sorted(out.iterdir()):
        print(f"{path.stat().st_size / 1024:8.0f} KB  {path.name}")


if __name__ == "__main__":
    main()
