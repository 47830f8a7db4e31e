"""Channel (OCR error) model: loading, DP mechanics on a synthetic table, the committed table."""

from __future__ import annotations

from pathlib import Path

import pytest

from vnocr.models import shipped
from vnocr.models.channel import ChannelModel, atomic_ops, read_counts, segment_ops

REPO = Path(__file__).resolve().parent.parent

SYNTHETIC = """\
# synthetic channel table for tests
observed\tintended\tcount
a\ta\t1000
c\tc\t1000
s\ts\t1000
l\tl\t900
n\tn\t1000
m\tm\t500
o\to\t1000
i\ti\t1000
ố\tố\t200
ủ\tủ\t100
à\tà\t500
6\tố\t100
o\tố\t50
ii\tủ\t60
rn\tm\t40
1\tl\t100
\t \t30
&\tở\t20
ở\tở\t20
1\t1\t300
6\t6\t10
x\tx\t5
#\t#\t3
"""


@pytest.fixture()
def synthetic(tmp_path: Path) -> ChannelModel:
    path = tmp_path / "channel.tsv"
    path.write_text(SYNTHETIC, encoding="utf-8")
    return ChannelModel.load(path)


@pytest.fixture(scope="module")
def real() -> ChannelModel:
    return ChannelModel.load(shipped.channel_path())


# --------------------------------------------------------------------------- synthetic mechanics


def test_read_counts_skips_header_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text(SYNTHETIC, encoding="utf-8")
    counts, header = read_counts(path)
    assert header == ["synthetic channel table for tests"]
    assert counts[("6", "ố")] == 100
    assert counts[("", " ")] == 30
    assert counts[("#", "#")] == 3  # a data row, not a comment


def test_identity_is_cheapest(synthetic: ChannelModel) -> None:
    for word in ("số", "của", "là", "nam"):
        same = synthetic.cost(word, word)
        assert same < 1.0
        for other in ("so", "sa", "ciia", "la", "narn", "cua", word + "a", word[1:]):
            if other != word:
                assert same < synthetic.cost(other, word)


def test_learned_single_substitution(synthetic: ChannelModel) -> None:
    assert synthetic.cost("s6", "số") < synthetic.cost("so", "số") < synthetic.cost("sa", "số")
    assert synthetic.cost("1a", "là") < synthetic.cost("ka", "là")


def test_learned_segments_one_to_many(synthetic: ChannelModel) -> None:
    # ii -> ủ and rn -> m are learned two-for-one segment substitutions.
    assert synthetic.cost("ciia", "của") < synthetic.cost("cxxa", "của")
    assert synthetic.cost("ciia", "của") < synthetic.cost("cia", "của") + 2.0
    assert synthetic.cost("narn", "nam") < synthetic.cost("naxn", "nam")


def test_deletion_and_insertion(synthetic: ChannelModel) -> None:
    # A learned deletion (a lost space) is cheaper than an unseen one (a lost letter).
    assert synthetic.cost("ab", "a b") < synthetic.cost("a", "ab")
    assert synthetic.cost("", "") == 0.0
    assert synthetic.cost("", "ab") > 0 and synthetic.cost("ab", "") > 0


def test_diacritic_backoff_cheaper_than_letter_change(synthetic: ChannelModel) -> None:
    # Neither substitution is in the table: the back-off prices a mark-only change lower.
    assert synthetic.cost("nả", "nà") < synthetic.cost("nb", "nà")
    assert synthetic.cost("ô", "ơ") < synthetic.cost("x", "ơ")
    assert synthetic.cost("d", "đ") < synthetic.cost("b", "đ")


def test_case_insensitive_and_nfc(synthetic: ChannelModel) -> None:
    assert synthetic.cost("S6", "SỐ") == synthetic.cost("s6", "số")
    decomposed = "so\u0302\u0301"
    assert synthetic.cost(decomposed, "số") == pytest.approx(synthetic.cost("số", "số"))


def test_cost_is_memoised(synthetic: ChannelModel) -> None:
    synthetic.cost("s6", "số")
    hits = synthetic.cache_info().hits
    synthetic.cost("s6", "số")
    assert synthetic.cache_info().hits == hits + 1


def test_cleanup_map_synthetic(synthetic: ChannelModel) -> None:
    cleanup = synthetic.cleanup_map()
    assert cleanup["6"][0][0] == "o"
    assert cleanup["&"][0][0] == "o"
    assert ("l", cleanup["1"][0][1]) == cleanup["1"][0]
    assert cleanup["rn"][0][0] == "m"
    assert cleanup["ii"][0][0] == "u"
    # '1' is usually really '1': folding it to 'l' costs more than '&' -> 'o' (never itself).
    assert cleanup["1"][0][1] > cleanup["&"][0][1]
    for options in cleanup.values():
        for letters, cost in options:
            assert letters == "" or letters.isascii() and letters.isalpha()
            assert cost >= 0


def test_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "channel.tsv").write_text(SYNTHETIC, encoding="utf-8")
    monkeypatch.setenv("VNOCR_LEXICON_DIR", str(tmp_path))
    model = ChannelModel.load(shipped.channel_path())
    assert model.header == ["synthetic channel table for tests"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ChannelModel.load(tmp_path / "nope.tsv")


# --------------------------------------------------------------------------- build-script alignment


def test_segment_ops_merge_one_to_many() -> None:
    from scripts.build_channel import atomic_ops, segment_ops

    def errors(truth: str, obs: str) -> list[tuple[str, str]]:
        return [(o, t) for kind, o, t in segment_ops(atomic_ops(truth, obs)) if kind == "err"]

    assert errors("của", "ciia") == [("ii", "ủ")]
    assert errors("nam", "narn") == [("rn", "m")]
    assert errors("đi", "cli") == [("cl", "đ")]
    # Plain substitutions stay one-to-one.
    assert errors("được", "dugc") == [("d", "đ"), ("u", "ư"), ("g", "ợ")]
    # Page noise after the text (separated by a space) is not counted.
    assert errors("dân", "dân : ! ˆ") == []


# --------------------------------------------------------------------------- committed table


SYLLABLES = ("của", "người", "được", "số", "là", "việt", "nước", "không", "thể", "đã")


def test_real_model_loads(real: ChannelModel) -> None:
    assert real.header, "channel.tsv should name how it was built"
    assert any("engines=" in line for line in real.header)
    assert len(real.counts) > 200


def test_real_identity_cheapest(real: ChannelModel) -> None:
    others = (
        "cua",
        "nguoi",
        "duoc",
        "so",
        "la",
        "viet",
        "nuoc",
        "khong",
        "the",
        "da",
        "ciia",
        "ngudi",
        "dugc",
        "s6",
        "1a",
        "viét",
        "nudc",
        "khéng",
        "thé",
        "dã",
    )
    for word in SYLLABLES:
        same = real.cost(word, word)
        assert same < 4.0
        for other in others + SYLLABLES:
            if other != word:
                assert same < real.cost(other, word), (other, word)


def test_real_diacritic_changes_cheaper_than_letter_changes(real: ChannelModel) -> None:
    assert real.cost("so", "số") < real.cost("sx", "số")
    assert real.cost("viet", "việt") < real.cost("vkqt", "việt")
    assert real.cost("duoc", "được") < real.cost("bxoc", "được")


def test_real_cleanup_map_shape(real: ChannelModel) -> None:
    cleanup = real.cleanup_map()
    assert cleanup
    for key, options in cleanup.items():
        assert key == key.lower() and key.strip() == key and 1 <= len(key) <= 3
        assert options == sorted(options, key=lambda x: (x[1], x[0]))


# Confusions the committed table learned from the rendered pages (eng-style errors), each with the
# row that teaches it. The ordering must follow from that row, not from the back-off.
LEARNED = [
    # (row observed, row intended, cheap observation, dear observation, intended word)
    ("6", "ố", "s6", "sa", "số"),
    ("ii", "ủ", "ciia", "cxxa", "của"),
    ("1", "l", "1a", "ka", "là"),
    ("&", "ở", "&", "x", "ở"),
    ("ii", "ữ", "nhiing", "nhxxng", "những"),
    ("d", "đ", "duoc", "buoc", "được"),
]


@pytest.mark.parametrize(("row_o", "row_t", "cheap", "dear", "word"), LEARNED)
def test_real_learned_confusions(
    real: ChannelModel, row_o: str, row_t: str, cheap: str, dear: str, word: str
) -> None:
    assert real.counts.get((row_o, row_t), 0) >= 2, "the table should contain this confusion"
    assert real.cost(cheap, word) < real.cost(dear, word)


def test_real_cleanup_map_learned_noise(real: ChannelModel) -> None:
    cleanup = real.cleanup_map()
    assert cleanup["6"][0][0] == "o"
    assert cleanup["&"][0][0] == "o"
    assert cleanup["1"][0][0] == "l"
    assert cleanup["ii"][0][0] == "u"
    # Clusters that occur in Vietnamese spelling are never folded away.
    assert "uo" not in cleanup and "ti" not in cleanup


def test_explain_sums_to_cost(synthetic: ChannelModel) -> None:
    for observed, intended in [
        ("ciia", "của"),
        ("s6", "số"),
        ("narn", "nam"),
        ("", "ab"),
        ("xyz", ""),
        ("ab", "a b"),
    ]:
        ops = synthetic.explain(observed, intended)
        assert "".join(o for o, _, _ in ops) == observed.lower()
        assert "".join(t for _, t, _ in ops) == intended.lower()
        total = sum(c for _, _, c in ops)
        assert total == pytest.approx(synthetic.cost(observed, intended), abs=0.01)
    assert ("ii", "ủ") in [(o, t) for o, t, _ in synthetic.explain("ciia", "của")]


def test_cost_does_not_depend_on_what_was_asked_before(tmp_path: Path) -> None:
    """The candidates of one word share the table columns of their common beginning."""
    path = tmp_path / "channel.tsv"
    path.write_text(SYNTHETIC, encoding="utf-8")
    pairs = [
        (observed, intended)
        for observed in ["ciia", "cua", "narn", "6", "", "rnii"]
        for intended in ["của", "cua", "ca", "c", "", "nam", "narn", "ủm", "m", "rn", "số"]
    ]
    one_by_one = [ChannelModel.load(path).cost(o, t) for o, t in pairs]
    shared = ChannelModel.load(path)
    assert [shared.cost(o, t) for o, t in reversed(pairs)] == one_by_one[::-1]
    batch = ChannelModel.load(path)
    for observed in {o for o, _ in pairs}:
        intended = [t for o, t in pairs if o == observed] + ["Của", "ca"]  # case, repeats
        expected = [c for (o, _), c in zip(pairs, one_by_one, strict=True) if o == observed]
        assert batch.costs(observed, intended) == expected + [expected[0], expected[2]]
    for (observed, intended), cost in zip(pairs, one_by_one, strict=True):
        best_ops = sum(c for _, _, c in shared.explain(observed, intended))
        assert cost == pytest.approx(best_ops, abs=0.01)


def test_real_costs_equal_cost_one_by_one(real: ChannelModel) -> None:
    """The batched columns (numpy) give exactly the costs of the one-by-one table."""
    intended = ["người", "nguội", "ngươi", "người", "nguôi", "ngời", "nguyễn", "m", "", "của"]
    for observed in ["nguédi", "ngudi", "rnguoi", "ciia", "", "6"]:
        one_by_one = [ChannelModel(real.counts).cost(observed, t) for t in intended]
        assert ChannelModel(real.counts).costs(observed, intended) == one_by_one


def test_adapted_adds_the_pairs_as_one_by_one(real: ChannelModel) -> None:
    """Repeated pairs are aligned once, yet the counts (floats, and their order) are the same."""
    pairs = [("nguédi", "người"), ("ciia", "của"), ("nguédi", "người"), ("Ciia", "của")] * 7
    pairs += [("rn", "m"), ("ciia", "của"), ("6", "ở")]
    weight = 0.1
    expected = dict(real.counts)
    for observed, intended in pairs:
        for kind, obs, intd in segment_ops(atomic_ops(intended.lower(), observed.lower())):
            key = (intd, intd) if kind == "eq" else (obs, intd)
            expected[key] = expected.get(key, 0) + weight
    adapted = real.adapted(iter(pairs), weight)
    assert list(adapted.counts.items()) == list(ChannelModel(expected).counts.items())
