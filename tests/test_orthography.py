"""Tests for vnocr.text.orthography."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from vnocr.text.orthography import (
    ONSETS,
    Syllable,
    base_letter,
    by_skeleton,
    clusters,
    compose,
    detect_style,
    has_vietnamese_letter,
    inventory,
    is_valid,
    is_vietnamese_letter,
    parse,
    restyle_text,
    restyle_word,
    skeleton,
    strip_tone,
    tone_of,
    with_tone,
)

HUNSPELL = Path("/usr/share/hunspell/vi_VN.dic")


# --- restyle ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("Hòa", "Hoà"),
        ("HÒA", "HOÀ"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("ủy", "uỷ"),
        ("Ủy", "Uỷ"),
        ("xóa", "xoá"),
        ("lũy", "luỹ"),
        ("KHỎE", "KHOẺ"),
        ("hÒa", "hOà"),
        ("góa", "goá"),
        ("họa", "hoạ"),
        ("tùy", "tuỳ"),
    ],
)
def test_restyle_word_pairs(old: str, new: str) -> None:
    assert restyle_word(old, "new") == new
    assert restyle_word(new, "old") == old
    assert restyle_word(old, "old") == old
    assert restyle_word(new, "new") == new


@pytest.mark.parametrize(
    "word",
    [
        "hoàn",
        "thuyết",
        "quý",
        "quyết",
        "giá",
        "hoa",
        "toán",
        "ngoài",
        "thuở",
        "thuế",
        "khuya",
        "hoặc",
        "tuần",
        "abc",
        "Paris",
        "x",
        "123",
        "hòaa",
        "hoà2",
        "gìa",
        "Café",
        "",
    ],
)
def test_restyle_word_leaves_others(word: str) -> None:
    assert restyle_word(word, "new") == word
    assert restyle_word(word, "old") == word


def test_restyle_text_only_moves_marks() -> None:
    old = "Hòa bình,  THỦY lợi;\tkhỏe 123 hoàn-hảo\n\nx=y hòa. Café 2024! \u00a0Ủy ban\r\n"
    new = "Hoà bình,  THUỶ lợi;\tkhoẻ 123 hoàn-hảo\n\nx=y hoà. Café 2024! \u00a0Uỷ ban\r\n"
    assert restyle_text(old, "new") == new
    assert restyle_text(new, "old") == old
    assert restyle_text(old, "old") == old
    assert restyle_text("", "new") == ""


def test_restyle_text_leaves_non_syllables_identical() -> None:
    text = "naïve résumé hòa2 https://x.vn/hòa?q=1 ÿ ß straße 3,14 «Ω» \U0001f600 e\u0301"
    out = restyle_text(text, "new")
    assert out == text.replace("/hòa?", "/hoà?")
    assert restyle_text("hòa2 2hòa x_hòa hòa_ (hòa)", "new") == "hòa2 2hòa x_hòa hòa_ (hoà)"


def test_restyle_bad_style() -> None:
    with pytest.raises(ValueError):
        restyle_text("hòa", "keep")


def test_detect_style() -> None:
    assert detect_style("Hòa bình và thủy lợi, hoà") == "old"
    assert detect_style("Hoà bình và thuỷ lợi, khỏe") == "new"
    assert detect_style("hoàn toàn quý giá") is None
    assert detect_style("hòa hoà") is None
    assert detect_style("") is None


# --- parse / compose -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("hòa", ("h", "o", "a", "", 1)),
        ("hoà", ("h", "o", "a", "", 1)),
        ("thuyết", ("th", "u", "yê", "t", 2)),
        ("quý", ("qu", "", "y", "", 2)),
        ("quyết", ("qu", "", "yê", "t", 2)),
        ("giá", ("gi", "", "a", "", 2)),
        ("gì", ("gi", "", "i", "", 1)),
        ("giết", ("gi", "", "iê", "t", 2)),
        ("giữa", ("gi", "", "ưa", "", 4)),
        ("nghiêng", ("ngh", "", "iê", "ng", 0)),
        ("người", ("ng", "", "ươ", "i", 1)),
        ("rượu", ("r", "", "ươ", "u", 5)),
        ("tuổi", ("t", "", "uô", "i", 3)),
        ("khuỷu", ("kh", "u", "y", "u", 3)),
        ("ngoằn", ("ng", "o", "ă", "n", 1)),
        ("khuya", ("kh", "u", "ya", "", 0)),
        ("yêu", ("", "", "yê", "u", 0)),
        ("Việt", ("v", "", "iê", "t", 5)),
        ("ĐẢNG", ("đ", "", "a", "ng", 3)),
        ("cây", ("c", "", "â", "y", 0)),
        ("oai", ("", "o", "a", "i", 0)),
        ("xoong", ("x", "", "oo", "ng", 0)),
        ("thuở", ("th", "u", "ơ", "", 3)),
        ("Vie\u0323\u0302t", ("v", "", "iê", "t", 5)),
    ],
)
def test_parse(word: str, parts: tuple[str, str, str, str, int]) -> None:
    assert parse(word) == Syllable(*parts)


@pytest.mark.parametrize(
    ("word", "old", "new"),
    [
        ("hoà", "hòa", "hoà"),
        ("thuỷ", "thủy", "thuỷ"),
        ("khoẻ", "khỏe", "khoẻ"),
        ("hoàn", "hoàn", "hoàn"),
        ("quyết", "quyết", "quyết"),
        ("thuyết", "thuyết", "thuyết"),
        ("quý", "quý", "quý"),
        ("giá", "giá", "giá"),
        ("giữ", "giữ", "giữ"),
        ("người", "người", "người"),
        ("mía", "mía", "mía"),
        ("của", "của", "của"),
        ("mưa", "mưa", "mưa"),
        ("muốn", "muốn", "muốn"),
        ("thuế", "thuế", "thuế"),
        ("khoảng", "khoảng", "khoảng"),
        ("ngoái", "ngoái", "ngoái"),
        ("khuýa", "khuýa", "khuýa"),
    ],
)
def test_compose_styles(word: str, old: str, new: str) -> None:
    syl = parse(word)
    assert syl is not None
    assert compose(syl, "old") == old
    assert compose(syl, "new") == new


@pytest.mark.parametrize("style", ["old", "new"])
def test_inventory_round_trip(style: str) -> None:
    for s in inventory(style):
        syl = parse(s)
        assert syl is not None, s
        assert compose(syl, style) == s
        assert tone_of(s) == syl.tone
        assert strip_tone(s) == compose(syl, style, tone=0) == syl.base
        assert unicodedata.is_normalized("NFC", s) and s == s.lower()


def test_inventory_shape() -> None:
    old, new = inventory("old"), inventory("new")
    assert len(old) == len(set(old)) == len(new) == len(set(new))
    assert 15000 <= len(old) <= 17000
    differ = set(old) ^ set(new)
    for s in differ:
        syl = parse(s)
        assert syl is not None and syl.tone and not syl.coda
        assert (syl.glide, syl.nucleus) in {("o", "a"), ("o", "e"), ("u", "y")}
    new_set = set(new)
    assert len(differ) == 2 * len([s for s in old if s not in new_set])
    assert inventory() is not inventory()  # callers get a copy of the cached list
    syls = [parse(s) for s in old]
    assert {s.onset for s in syls if s} == set(ONSETS)
    for syl in syls:
        assert syl is not None
        if syl.coda in ("p", "t", "c", "ch"):
            assert syl.tone in (2, 5), syl


@pytest.mark.parametrize(
    "word",
    [
        "ka",
        "ngi",
        "cê",
        "ghe" + "x",
        "àc",
        "ảt",
        "gha",
        "ngha",
        "ko",
        "ci",
        "gi" + "ia",
        "qa",
        "quu",
        "coa",
        "ach" + "a",
        "ec",
        "ơng",
        "inh" + "h",
        "ănh",
        "ôch",
        "ang" + "o",
        "ă",
        "hòan",
        "tòan",
        "nghành",
        "đươc",
        "têt",
        "môt",
        "qúy",
        "gìa",
        "hoà" + "à",
        "xyz",
        "",
        "a b",
        "việtt",
        "bó1",
        "ð",
        "f",
        "wa",
        "mì" + "\u0301",
    ],
)
def test_invalid(word: str) -> None:
    assert not is_valid(word)
    assert parse(word) is None


@pytest.mark.parametrize(
    "word",
    [
        "kê",
        "nghi",
        "ác",
        "ạt",
        "kìa",
        "ghế",
        "nghề",
        "gà",
        "ngà",
        "cá",
        "quả",
        "gìn",
        "giêng",
        "quốc",
        "ếch",
        "ách",
        "ích",
        "anh",
        "ênh",
        "inh",
        "oanh",
        "huỳnh",
        "khuếch",
        "y",
        "ý",
        "yên",
        "ỉa",
        "pin",
        "xốp",
        "buýt",
        "Hòa",
        "hoà",
        "ĐƯỜNG",
        "nghiêng",
        "khuỷu",
        "xoong",
        "giẻ",
        "gieo",
        "giễu",
        "quệt",
        "quít",
        "oà",
        "uể",
        "ngoạm",
        "ừm",
        "yểng",
    ],
)
def test_valid(word: str) -> None:
    assert is_valid(word)


def test_stop_codas_take_sac_or_nang_only() -> None:
    assert [with_tone("ac", t) for t in (2, 5)] == ["ác", "ạc"]
    for t in (0, 1, 3, 4):
        with pytest.raises(ValueError):
            with_tone("ac", t)


# --- tone helpers ----------------------------------------------------------------------------


def test_tone_helpers() -> None:
    assert [tone_of(w) for w in ["ma", "mà", "má", "mả", "mã", "mạ", "Mẹ", "HỎI", "đường"]] == [
        0,
        1,
        2,
        3,
        4,
        5,
        5,
        3,
        1,
    ]
    assert strip_tone("Đường Nguyễn Huệ, HÒA") == "Đương Nguyên Huê, HOA"
    assert strip_tone("abc 123") == "abc 123"
    assert with_tone("hoa", 1) == "hòa"
    assert with_tone("hoa", 1, "new") == "hoà"
    assert with_tone("Hoà", 2, "old") == "Hóa"
    assert with_tone("VIÊT", 5) == "VIỆT"
    assert with_tone("giu", 4) == "giũ"
    with pytest.raises(ValueError):
        with_tone("xyz", 1)


@pytest.mark.parametrize(
    ("word", "skel"),
    [
        ("Nghị", "nghi"),
        ("Đảng", "dang"),
        ("ĐƯỜNG", "duong"),
        ("người", "nguoi"),
        ("Việt", "viet"),
        ("khoẻ", "khoe"),
        ("ắ", "a"),
        ("café", "cafe"),
        ("abc", "abc"),
        ("Vie\u0323\u0302t", "viet"),
        ("Được", "duoc"),
        ("ỦY", "uy"),
    ],
)
def test_skeleton(word: str, skel: str) -> None:
    assert skeleton(word) == skel


def test_vietnamese_letters() -> None:
    assert all(is_vietnamese_letter(ch) for ch in "aăâđêôơưyỹỵĐỰ")
    assert not any(is_vietnamese_letter(ch) for ch in "fjwzFJWZ6&ç")
    assert base_letter("ế") == "e" and base_letter("Đ") == "D" and base_letter("6") == "6"


def test_clusters_are_spellings_inside_syllables() -> None:
    found = clusters(3)
    assert {"uo", "ti", "ngh"} <= found
    assert not {"ii", "rn", "cl"} & found
    assert all(2 <= len(cluster) <= 3 for cluster in found)


def test_by_skeleton() -> None:
    duong = by_skeleton("duong")
    assert {"dương", "đường", "dưỡng", "đuống", "dường"} <= set(duong)
    assert all(skeleton(s) == "duong" for s in duong)
    assert "hòa" in by_skeleton("hoa") and "hoà" in by_skeleton("hoa", "new")
    assert by_skeleton("xyz") == ()


def test_has_vietnamese_letter() -> None:
    assert has_vietnamese_letter("đi") and has_vietnamese_letter("ảnh")
    assert has_vietnamese_letter("ư") and has_vietnamese_letter("Việt")
    assert not has_vietnamese_letter("café") and not has_vietnamese_letter("hôtel")


# --- coverage of attested syllables ----------------------------------------------------------


def _coverage(words: list[str]) -> tuple[int, float]:
    """(number of Vietnamese-looking syllables, share accepted)."""
    syls = set()
    for word in words:
        for part in unicodedata.normalize("NFC", word).lower().split():
            if part.isalpha() and (has_vietnamese_letter(part) or is_valid(part)):
                syls.add(part)
    return len(syls), sum(map(is_valid, syls)) / len(syls)


def test_wordfreq_coverage() -> None:
    wordfreq = pytest.importorskip("wordfreq")
    freqs = wordfreq.get_frequency_dict("vi")
    n, cov = _coverage(list(freqs))
    assert n > 4000
    # Observed 99.02%; the rest are abbreviations (đc, hđnd), Đắk Lắk / Kạn and misspellings.
    assert cov >= 0.99
    # The rejected ones are rare: at least 99.9% of the token mass is covered.
    total = rejected = 0.0
    for word, f in freqs.items():
        if word.isalpha() and (has_vietnamese_letter(word) or is_valid(word)):
            total += f
            rejected += 0 if is_valid(word) else f
    assert 1 - rejected / total >= 0.999


def test_hunspell_coverage() -> None:
    if not HUNSPELL.exists():
        pytest.skip("hunspell vi_VN.dic not installed")
    lines = HUNSPELL.read_text(encoding="utf-8").splitlines()[1:]
    n, cov = _coverage([line.split("/")[0] for line in lines])
    assert n > 6000
    assert cov >= 0.999  # observed 99.92% (rejects: hđnd palăng quoạng quoắt quấc)
