"""Legacy Vietnamese encodings: tables, round trips of every letter, detection."""

from __future__ import annotations

import pytest

from pipeline import legacy_encodings

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
    found = legacy_encodings.detect(legacy_encodings.encode(PARAGRAPH, name))
    assert found is not None and found.name == name
