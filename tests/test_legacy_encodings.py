"""Legacy Vietnamese encodings: tables, round trips of every letter, detection, CLI and batch."""

from __future__ import annotations

import json
import os
import random

import pytest
from click.testing import CliRunner

from vnocr.archive import batch
from vnocr.cli import cli
from vnocr.errors import InputError, UsageError
from vnocr.settings import Settings
from vnocr.text import decoding, legacy_encodings

LETTERS = legacy_encodings.vietnamese_letters()
LOWER = LETTERS[:67]
CAPITALS = LETTERS[67:]
TONED_CAPITALS = [letter for letter in CAPITALS if letter not in "ĂÂÊÔƠƯĐ"]

# Our own sentences: every tone, ă â ê ô ơ ư đ, capitals, numbers and punctuation.
PARAGRAPH = (
    "Hội nghị tổng kết công tác năm 2023 của Ủy ban nhân dân huyện diễn ra sáng thứ Hai.\n"
    "Đồng chí Chủ tịch phát biểu: kết quả đạt được là nhờ sự đoàn kết, nỗ lực của cán bộ.\n"
    "Năm tới, huyện tiếp tục xây dựng nông thôn mới, chăm lo đời sống người dân vùng khó khăn; "
    "phấn đấu thu ngân sách tăng 10%, giữ vững quốc phòng, an ninh.\n"
    "Các xã phải rà soát hộ nghèo, hỗ trợ kịp thời những gia đình bị thiệt hại do bão lũ.\n"
    "Trường học được sửa chữa, bảo đảm đủ phòng cho học sinh trước ngày khai giảng.\n"
)
HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
EIGHT_BIT = list(legacy_encodings.EIGHT_BIT)


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


# ---------------------------------------------------------------------------------- tables


def test_the_letters_are_the_134_of_vietnamese():
    assert len(LETTERS) == len(set(LETTERS)) == 134
    assert all(letter.upper() in CAPITALS for letter in LOWER)


def test_viscii_table_holds_each_letter_once():
    table = legacy_encodings._decode_table("viscii")
    letters = [table[byte] for byte in [*range(0x80, 0x100), 0x02, 0x05, 0x06, 0x14, 0x19, 0x1E]]
    assert sorted(letters) == sorted(LETTERS)
    assert all(table[byte] == chr(byte) for byte in range(0x20, 0x7F))


def test_tcvn3_table_holds_the_lower_case_letters_and_seven_capitals():
    table = legacy_encodings._decode_table("tcvn3")
    high = [table[byte] for byte in range(0xA1, 0x100)]
    assert set(LOWER) | set("ĂÂÊÔƠƯĐ") <= set(high)
    assert table[0xB8] == "á" and table[0xA7] == "Đ" and table[0xAE] == "đ"
    assert table[0x93] == "“"  # Windows-1252 punctuation kept below 0xA1


@pytest.mark.parametrize("name", ["tcvn3", "vni", "viscii", "cp1258", "viqr", "utf-8"])
def test_lookup_accepts_names_and_aliases(name):
    assert legacy_encodings.lookup(name.upper()).name == name
    assert legacy_encodings.lookup("ABC").name == "tcvn3"
    assert legacy_encodings.lookup("windows_1258").name == "cp1258"
    assert legacy_encodings.lookup("latin-9") is None


# ------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("name", ["vni", "viscii", "cp1258"])
@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips(name, letter):
    data = legacy_encodings.encode(letter, name)
    assert b"?" not in data
    assert legacy_encodings.decode(data, name) == letter


@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips_in_viqr(letter):
    text = f"{letter} xa"
    data = legacy_encodings.encode(text, "viqr")
    assert data.isascii()
    assert legacy_encodings.decode(data, "viqr") == text


@pytest.mark.parametrize("letter", [*LOWER, *"ĂÂÊÔƠƯĐ"])
def test_tcvn3_letters_with_their_own_code_round_trip(letter):
    data = legacy_encodings.encode(f"xa {letter}", "tcvn3")
    assert len(data) == 4 and data[3] >= 0xA1
    assert legacy_encodings.decode(data, "tcvn3") == f"xa {letter}"


@pytest.mark.parametrize("letter", TONED_CAPITALS)
def test_tcvn3_toned_capitals_round_trip_in_capital_words(letter):
    # Written with the lower-case code (.VnTimeH); the capitals around it decide the case.
    word = f"{letter}NG"
    data = legacy_encodings.encode(word, "tcvn3")
    assert data[0] == legacy_encodings.encode(letter.lower(), "tcvn3")[0]
    assert legacy_encodings.decode(data, "tcvn3") == word
    # inside a sentence, a capital with a tone mark cannot be told from its lower-case letter
    data = legacy_encodings.encode(f"xa {letter}", "tcvn3")
    assert legacy_encodings.decode(data, "tcvn3") == f"xa {letter.lower()}"


@pytest.mark.parametrize("name", EIGHT_BIT + ["viqr"])
def test_all_letters_together_round_trip(name):
    text = "xa " + " ".join(LOWER) + " xa\n" + " ".join(f"{letter}N" for letter in CAPITALS) + "\n"
    assert legacy_encodings.decode(legacy_encodings.encode(text, name), name) == text


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("CéNG HßA X· HéI CHñ NGHÜA VIÖT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("§Ò ¸N", "ĐỀ ÁN"),  # one clear capital word decides the line
        ("B¸O C¸O", "BÁO CÁO"),
        ("PHã BÝ TH¦", "PHÓ BÍ THƯ"),  # THƯ: a syllable in capitals
        ("Sè: 12/Q§-UBND", "Số: 12/QĐ-UBND"),  # acronyms are not words in capitals
        ("§iÒu 1. Hµ Néi", "Điều 1. Hà Nội"),
        ("§Ò", "Đề"),  # undecidable: stays a capitalised word
        ("víi ñy ban. ñy ban", "với ủy ban. Ủy ban"),  # a sentence starts with a capital
        ("xong.\n- ñy ban\nvíi ñy", "xong.\n- Ủy ban\nvíi ủy".replace("víi", "với")),
        ("xong.\n®) ñy ban", "xong.\nđ) Ủy ban"),  # đ) is a list marker
    ],
)
def test_tcvn3_capitals_are_restored_where_decidable(encoded, expected):
    data = encoded.encode("cp1252")
    assert legacy_encodings.decode(data, "tcvn3") == expected


def test_vni_spellings():
    assert legacy_encodings.encode("Trường Việt", "vni") == "Tröôøng Vieät".encode("cp1252")
    assert legacy_encodings.decode("Hoà Chí Minh".encode("cp1252"), "vni") == "Hồ Chí Minh"
    # lenient: i + tone byte, and a mark byte in the other case than its letter
    assert legacy_encodings.decode("iù AÙ".encode("cp1252"), "vni") == "í Á"


def test_cp1258_uses_combining_tone_bytes():
    data = legacy_encodings.encode("Việt", "cp1258")
    assert data == b"Vi\xea\xf2t"  # ê, then the combining dot below
    assert legacy_encodings.decode(data, "cp1258") == "Việt"


def test_viqr_conventions():
    decode = legacy_encodings.decode_viqr
    assert decode("Vie^.t Nam") == "Việt Nam"
    assert decode("Ddo^`ng DDa^`u HDDND, address") == "Đồng Đầu HĐND, address"
    assert decode("Ha` No^.i.") == "Hà Nội."  # one tone per word: the last dot is punctuation
    assert decode("tham gia.\nxong") == "tham gia.\nxong"  # end of a line: punctuation
    assert decode("gia\\. bi.\nxa") == "gia. bị\nxa"  # escapes: marks are marks
    assert legacy_encodings.encode("Có ai?", "viqr") == b"Co' ai\\?"


# -------------------------------------------------------------------------------- detection


@pytest.mark.parametrize("name", EIGHT_BIT)
def test_detection_picks_the_encoding_of_a_paragraph(name):
    data = legacy_encodings.encode(PARAGRAPH, name)
    found = legacy_encodings.detect(data)
    assert found is not None and found.name == name
    decoded = decoding.decode_document(data, "p.txt")
    assert decoded.encoding == name and decoded.detected
    # TCVN3 cannot tell Ủ from ủ inside a sentence (.VnTimeH capitals share the codes)
    expected = PARAGRAPH.replace("của Ủy", "của ủy") if name == "tcvn3" else PARAGRAPH
    assert decoded.text == expected


@pytest.mark.parametrize("name", EIGHT_BIT)
def test_detection_of_capital_headings(name):
    data = legacy_encodings.encode(HEADING + PARAGRAPH, name)
    text = decoding.decode_document(data, "h.txt").text
    assert text.startswith(HEADING)


def test_viqr_is_detected_in_ascii_text():
    data = legacy_encodings.encode(PARAGRAPH, "viqr")
    decoded = decoding.decode_document(data, "v.txt")
    assert decoded.encoding == "viqr" and decoded.text == PARAGRAPH


def test_viqr_detection_judges_the_start_of_a_long_text():
    text = PARAGRAPH * (legacy_encodings.SAMPLE_BYTES // len(PARAGRAPH) + 20)
    data = legacy_encodings.encode(text, "viqr")
    assert len(data) > legacy_encodings.SAMPLE_BYTES
    assert legacy_encodings.detect_viqr(data.decode("ascii")) == text


@pytest.mark.parametrize(
    "text",
    [
        "Don't panic. It's what they're for, isn't it? I'm sure we'll see. You'd agree?\n" * 5,
        "Cong hoa xa hoi chu nghia Viet Nam. Ban co khoe khong? Toi di Ha Noi.\n" * 5,
        "x = a^2 + b^2; y = (a+b)*c. Done? Yes.\n" * 5,
    ],
)
def test_ordinary_ascii_is_not_taken_for_viqr(text):
    decoded = decoding.decode_document(text.encode(), "a.txt")
    assert decoded.encoding is None and decoded.text == text


def test_utf8_stays_first_and_unchanged():
    data = PARAGRAPH.encode("utf-8")
    assert decoding.decode_document(data, "u.txt") == decoding.DecodedText(PARAGRAPH)


def test_random_bytes_still_fail_with_the_byte_offset():
    data = b"Bao cao\n" + random.Random(7).randbytes(4000)
    with pytest.raises(InputError, match=r"not valid UTF-8: byte 0x[0-9a-f]{2} at byte offset"):
        decoding.decode_document(data, "r.bin")


def test_a_lone_odd_byte_is_not_evidence_of_an_encoding():
    with pytest.raises(InputError, match="byte 0xd2 at byte offset 9"):
        decoding.decode_document(b"Cong hoa\n\xd2\n", "x.txt")


def test_forced_encoding_skips_detection():
    data = legacy_encodings.encode("Hà Nội", "vni")
    assert decoding.decode_document(data, "f.txt", "vni") == decoding.DecodedText("Hà Nội", "vni")
    with pytest.raises(InputError, match="byte 0xf8 at byte offset 2"):
        decoding.decode_document(data, "f.txt", "utf-8")
    assert decoding.decode_document(data, "f.txt", "VNI-Windows").encoding == "vni"
    with pytest.raises(UsageError, match="unknown encoding 'x'"):
        decoding.decode_document(data, "f.txt", "x")


# ------------------------------------------------------------------------------------ CLI


@pytest.mark.parametrize(("name", "label"), [("tcvn3", "TCVN3 (ABC)"), ("vni", "VNI-Windows")])
def test_correct_converts_a_legacy_file(tmp_path, samples_dir, name, label):
    original = (samples_dir / "report_clean.gt.txt").read_text(encoding="utf-8")
    source = tmp_path / f"{name}.txt"
    source.write_bytes(legacy_encodings.encode(original, name))
    result = run("correct", str(source))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == original
    assert result.stderr == f"vnocr: {source}: decoded as {label}\n"


def test_correct_with_forced_encoding_reads_stdin(tmp_path):
    data = legacy_encodings.encode(PARAGRAPH, "viscii")
    result = run("correct", "-", "--encoding", "VISCII", stdin=data)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == PARAGRAPH
    assert "decoded as" not in result.stderr  # named, not found: nothing to report


def test_unknown_encoding_is_a_usage_error(tmp_path):
    result = run("correct", "--encoding", "latin-9", str(tmp_path / "x.txt"))
    assert result.exit_code == 2
    assert "unknown encoding 'latin-9'" in result.stderr
    assert "utf-8, tcvn3, vni, viscii, cp1258, viqr" in result.stderr


def test_correct_still_rejects_binary(tmp_path):
    source = tmp_path / "noise.txt"
    source.write_bytes(random.Random(3).randbytes(2000))
    result = run("correct", str(source))
    assert result.exit_code == 1
    assert "byte offset" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------- batch


def test_batch_reads_legacy_text_and_records_the_encoding(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "old.txt").write_bytes(legacy_encodings.encode(PARAGRAPH, "vni"))
    (src / "new.txt").write_text(PARAGRAPH, encoding="utf-8")
    lines: list[str] = []
    options = batch.BatchOptions(
        src, out, Settings(correct=False), jobs=1, progress=False, log=lines.append
    )
    summary = batch.run_batch(options)
    assert summary.done == 2 and not summary.errors
    assert (out / "old.txt").read_text(encoding="utf-8") == PARAGRAPH
    [record] = [json.loads(line) for line in (out / "old.jsonl").read_text().splitlines()]
    assert record["encoding"] == "vni"
    assert "encoding" not in json.loads((out / "new.jsonl").read_text().splitlines()[0])
    assert "old.txt: decoded as VNI-Windows" in lines


def test_batch_encoding_option_reruns_only_text_inputs(tmp_path):
    plain = Settings(correct=False)
    forced = Settings(correct=False, encoding="tcvn3")
    run_ = batch.BatchRun(batch.BatchOptions(tmp_path, tmp_path / "o", forced, jobs=1))
    assert run_.digest == batch.BatchRun(batch.BatchOptions(tmp_path, tmp_path, plain)).digest
    assert run_.digest_of(tmp_path / "a.pdf") == run_.digest
    assert run_.digest_of(tmp_path / "a.txt") != run_.digest
    assert os.path.basename(str(tmp_path)) in str(run_.in_dir)
