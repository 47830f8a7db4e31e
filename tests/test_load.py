"""vnocr.image.load: file kinds, page specs, page images, text encodings and input errors."""

from __future__ import annotations

import codecs

import pikepdf
import pytest
from PIL import Image

from vnocr.errors import InputError, UsageError
from vnocr.image import load
from vnocr.text import decoding


@pytest.mark.parametrize(
    ("name", "save"),
    [
        ("a.png", {}),
        ("a.jpg", {"quality": 90}),
        ("a.tif", {}),
        ("a.bmp", {}),
        ("a.webp", {}),
        ("renamed.dat", {"format": "PNG"}),  # content decides, not the extension
    ],
)
def test_detect_kind_images(make_image, name, save):
    assert load.detect_kind(make_image(name, **save)) == "image"


def test_detect_kind_pdf_and_text(make_pdf, tmp_path):
    assert load.detect_kind(make_pdf()) == "pdf"
    text = tmp_path / "notes.txt"
    text.write_text("Cộng hòa\n", encoding="utf-8")
    assert load.detect_kind(text) == "text"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.docx", b"PK\x03\x04 zipped", "unsupported file type '.docx'"),
        ("noext", b"hello", "unsupported file type without extension"),
        ("fake.png", b"this is not a png", "not a valid PNG image"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a valid PDF"),
        ("empty.png", b"", "file is empty"),
    ],
)
def test_detect_kind_rejects(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        load.detect_kind(path)
    assert caught.value.path == str(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load.detect_kind(tmp_path / "missing.png")
    with pytest.raises(InputError, match="is a directory"):
        load.detect_kind(tmp_path)


@pytest.mark.parametrize(
    ("spec", "pages"),
    [
        ("1-3,7", [1, 2, 3, 7]),
        ("5", [5]),
        (" 2 , 1 ", [1, 2]),
        ("3-3,1-2,2", [1, 2, 3]),
        ("", None),
        (None, None),
    ],
)
def test_parse_page_spec(spec, pages):
    parsed = load.parse_page_spec(spec)
    assert (list(parsed) if parsed is not None else None) == pages


@pytest.mark.parametrize("spec", ["0", "3-1", "a", "1-", "-2", "1,,2", "1-2-3"])
def test_parse_page_spec_rejects(spec):
    with pytest.raises(UsageError, match="bad page range"):
        load.parse_page_spec(spec)


def test_multipage_tiff_pages(tmp_path):
    path = tmp_path / "two.tif"
    first, second = Image.new("L", (100, 50), 255), Image.new("L", (120, 60), 0)
    first.save(path, save_all=True, append_images=[second])
    assert load.count_pages(path) == 2
    assert load.load_page(path, 2).size == (120, 60)
    assert [page for page, _ in load.iter_pages(path)] == [1, 2]
    with pytest.raises(InputError, match="page 3 does not exist"):
        load.load_page(path, 3)


def test_pdf_pages_render_at_dpi(make_pdf):
    path = make_pdf(pages=3)
    assert load.count_pages(path) == 3
    image = load.load_page(path, 2, dpi=144)  # page 2 is 500 x 200 points
    assert image.size == (1000, 400)
    pages = [(page, image.size) for page, image in load.iter_pages(path, [1, 3], dpi=72)]
    assert pages == [(1, (400, 200)), (3, (600, 200))]
    with pytest.raises(InputError, match="page 4 does not exist"):
        load.select_pages(path, [2, 4])


def test_image_modes_become_tesseract_friendly(tmp_path):
    rgba = tmp_path / "rgba.png"
    Image.new("RGBA", (20, 10), (0, 0, 0, 0)).save(rgba)
    image = load.load_page(rgba, 1)
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 255, 255)  # transparent becomes white paper
    deep = tmp_path / "deep.png"
    Image.new("I;16", (20, 10), 65535).save(deep)
    image = load.load_page(deep, 1)
    assert image.mode == "L" and image.getpixel((0, 0)) == 255


def test_truncated_png(make_image):
    path = make_image("cut.png", size=(800, 600))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated"):
        load.load_page(path, 1)


def test_pixel_limit(make_image):
    path = make_image("big.png", size=(600, 400))  # 240,000 pixels
    with pytest.raises(InputError, match="image too large .*limit"):
        load.load_page(path, 1, max_pixels=200_000)
    with pytest.raises(InputError, match="image too large"):  # PIL's own bomb error (> 2x)
        load.load_page(path, 1, max_pixels=100_000)
    assert load.load_page(path, 1, max_pixels=240_000).size == (600, 400)


def test_pixel_limit_leaves_pil_global_alone(make_image):
    before = Image.MAX_IMAGE_PIXELS
    path = make_image("big.png", size=(600, 400))
    with pytest.raises(InputError):
        load.load_page(path, 1, max_pixels=100_000)
    load.count_pages(path, max_pixels=300_000)
    assert before == Image.MAX_IMAGE_PIXELS


def test_pdf_pixel_limit(make_pdf):
    with pytest.raises(InputError, match="image too large") as caught:
        load.load_page(make_pdf(pages=1), 1, dpi=300, max_pixels=1_000_000)
    assert caught.value.page == 1


def test_encrypted_pdf(make_pdf, tmp_path):
    locked = tmp_path / "locked.pdf"
    with pikepdf.Pdf.open(make_pdf()) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="x", user="y"))
    with pytest.raises(InputError, match="encrypted with a password"):
        load.count_pages(locked)


def test_zero_page_pdf(tmp_path):
    empty = tmp_path / "empty.pdf"
    pikepdf.Pdf.new().save(empty)
    with pytest.raises(InputError, match="no pages"):
        load.count_pages(empty)


def test_corrupt_pdf(make_pdf, tmp_path):
    data = make_pdf().read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[:200])
    with pytest.raises(InputError, match="corrupt or unreadable PDF"):
        load.count_pages(broken)


@pytest.mark.parametrize(
    "data",
    [
        "Cộng hòa\n".encode(),
        codecs.BOM_UTF8 + "Cộng hòa\n".encode(),
        codecs.BOM_UTF16_LE + "Cộng hòa\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "Cộng hòa\n".encode("utf-16-be"),
    ],
)
def test_read_text_encodings(tmp_path, data):
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    assert decoding.read_text(path) == "Cộng hòa\n"


def test_read_text_names_bad_byte_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Việt\n".encode() + "café".encode("latin-1"))  # 7 + 3 bytes before é
    with pytest.raises(InputError, match=r"byte 0xe9 at byte offset 10") as caught:
        decoding.read_text(path)
    assert caught.value.path == str(path)


def test_read_text_missing(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        decoding.read_text(tmp_path / "nope.txt")
