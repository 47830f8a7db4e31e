"""Footnote marks: superscript numbers read as stray marks get their numbers back from the
numbering, and only where it leaves no doubt."""

from __future__ import annotations

import pytest

from vnocr.restore.correct import Corrector
from vnocr.restore.footnotes import number_marks, split_marks
from vnocr.text.tokens import Kind, tokenize

# Two pages: page one has marks 1-2 in the text and notes 1-2 at its foot; page two marks 3-5
# and notes 3-5. OCR read some superscripts as marks, some note numbers right.
PAGES = [
    "Sở Tư pháp đã tổ chức hội nghị triển khai!. Các huyện xây dựng kế hoạch",
    "thực hiện và báo cáo kết quả về Ủy ban nhân dân tỉnh’, đúng thời hạn.",
    "! Hội nghị được tổ chức tại thành phố.",
    "2 Kế hoạch số 15/KH-UBND ngày 10/3/2022.",
    "Công tác cải cách hành chính được quan tâm*. Chỉ số hài lòng của người dân",
    "tăng so với năm trước®, nhất là ở cấp xã'’ và cấp huyện.",
    "* Theo kết quả khảo sát năm 2022.",
    "4 Đạt 85,2%.",
    "® Đạt 80,1%.",
]


def numbers(lines: list[str]) -> dict[tuple[int, int], str]:
    return {place: number for place, (_, number) in number_marks(lines).items()}


def test_marks_are_numbered_from_the_notes_read_right() -> None:
    found = numbers(PAGES)
    assert found == {
        (0, PAGES[0].index("!.")): "1",
        (1, PAGES[1].index("’,")): "2",
        (2, 0): "1",
        (3, 0): "2",
        (4, PAGES[4].index("*.")): "3",
        (5, PAGES[5].index("®,")): "4",
        (5, PAGES[5].index("'’")): "5",
        (6, 0): "3",
        (7, 0): "4",
        (8, 0): "5",
    }


def test_a_page_with_a_mark_missing_is_left_alone() -> None:
    # The second page's mark 4 was read as a letter: three numbers, two marks, no sure numbering.
    lines = [*PAGES]
    lines[5] = lines[5].replace("®", "")
    found = numbers(lines)
    assert (4, PAGES[4].index("*.")) not in found
    assert (0, PAGES[0].index("!.")) in found  # the first page is still sure
    assert (6, 0) in found  # and the notes are numbered by their own sequence


def test_text_without_footnotes_is_left_alone() -> None:
    lines = [
        "Vì sao chỉ số này giảm? Cần làm rõ nguyên nhân!",
        "* Nội dung thứ nhất: rà soát văn bản.",
        "2 Phó Chủ tịch dự họp.",
        "Diện tích tự nhiên 3.895 km?; dân số khoảng 1,9 triệu người.",
    ]
    assert number_marks(lines) == {}


def test_punctuation_and_units_are_no_marks() -> None:
    lines = [
        "Vì sao chỉ số này giảm? Cần làm rõ nguyên nhân, ‘trách nhiệm’.",
        "Diện tích 3.895 km?; dân số 1,9 triệu.",
        "1 Ghi chú một.",
        "2 Ghi chú hai.",
    ]
    assert numbers(lines) == {(2, 0): "1", (3, 0): "2"}


def test_horns_read_as_apostrophes_are_no_marks() -> None:
    lines = [*PAGES]
    lines[1] = lines[1].replace("về Ủy ban", "theo su’ chỉ đạo")  # the horn of sự, read as ’
    found = numbers(lines)
    assert (1, lines[1].index("’ chỉ")) not in found
    assert (0, PAGES[0].index("!.")) in found and len(found) == len(numbers(PAGES))


def test_split_marks_rebuilds_the_line() -> None:
    line = "tăng so với năm trước®, nhất là ở cấp xã'’ và cấp huyện."
    marks = [(line.index("®"), "®"), (line.index("'’"), "'’")]
    tokens = split_marks(line, tokenize(line), marks, noisy=False)
    assert "".join(t.text for t in tokens) == line
    footnotes = [t for t in tokens if t.kind is Kind.FOOTNOTE]
    assert [(t.text, t.start) for t in footnotes] == [(text, start) for start, text in marks]
    assert "trước" in [t.text for t in tokens]  # the word is split from its mark


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return Corrector()


def test_correct_puts_the_numbers_back(corrector: Corrector) -> None:
    result = corrector.correct("\n".join(PAGES))
    lines = result.text.split("\n")
    assert lines[0].startswith("Sở Tư pháp đã tổ chức hội nghị triển khai1. ")
    assert lines[2].startswith("1 Hội nghị")
    assert "năm trước4, nhất là ở cấp xã5 và" in lines[5]
    assert lines[8].startswith("5 Đạt")
    footnote_changes = [c for c in result.changes if c.new.isdigit()]
    assert len(footnote_changes) == 8
    assert all(c.margin == float("inf") for c in footnote_changes)


def test_raw_ocr_words_before_marks_are_still_corrected(corrector: Corrector) -> None:
    raw = [
        "Cac dia phuong da trien khai ké hoach cua tinh!. Cong tac tuyén truyén duge",
        "quan tam thuc hién thudng xuyén®, cé hiéu qua.",
        "! Ké hoach sb 12/KH-UBND.",
        "2 Cong van sb 45/UBND-NC.",
        "Cac co quan dé tiép tuc thuc hién tét nhiém vu duge giao*.",
        "3 Bao cao sé 9/BC-UBND.",
    ]
    lines = corrector.correct("\n".join(raw)).text.split("\n")
    assert "kế hoạch của tỉnh1." in lines[0]
    assert "thường xuyên2," in lines[1]
    assert lines[2].startswith("1 ")
    assert lines[4].endswith("được giao3.")
