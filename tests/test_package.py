"""The package as users get it: the public API, a wheel installed in a fresh venv, the layers."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import vnocr

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------ public API


def test_public_names():
    for name in vnocr.__all__:
        assert getattr(vnocr, name) is not None, name
    assert issubclass(vnocr.InputError, vnocr.VnocrError)
    assert vnocr.Settings().lang == "vie"


def test_correct_restores_marks_and_keeps_lines():
    corrector = vnocr.Corrector()
    text = "Nghi quyet cua Ban Chap hanh\nUy ban nhan dan tinh"
    fixed = vnocr.correct(text, corrector=corrector)
    assert fixed.count("\n") == 1
    assert "Nghị quyết" in fixed and "Ban Chấp hành" in fixed and "Ủy ban nhân dân" in fixed
    assert vnocr.correct("hòa", tone_style="new") == "hoà"


def test_corrector_follows_the_protocol():
    corrector: vnocr.TextCorrector = vnocr.Corrector(vnocr.CorrectOptions(tone_style="old"))
    correction = corrector.correct("hoà bình", [95.0, 95.0], None)
    assert isinstance(correction, vnocr.Correction)
    assert correction.text == "hòa bình"


@pytest.mark.e2e
def test_ocr_returns_page_results(samples_dir: Path):
    pages = vnocr.ocr(samples_dir / "plan_2p.tif", pages=[2])
    assert [page.page for page in pages] == [2]
    assert isinstance(pages[0], vnocr.PageResult)
    truth = (samples_dir / "plan_2p.gt.txt").read_text(encoding="utf-8").split("\f")[1]
    from vnocr.text import evaluate

    assert evaluate.compare(truth, pages[0].text)["wer"] < 0.02


def test_ocr_missing_file_is_input_error(tmp_path: Path):
    with pytest.raises(vnocr.InputError, match="missing.png"):
        vnocr.ocr(tmp_path / "missing.png")


# ------------------------------------------------------------------------------ the wheel


def _repo_copy(target: Path) -> Path:
    """The files git tracks (as in the working tree), so the build sees what a clone has."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            (target / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / os.fsdecode(name))
    return target


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the sources")
def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path, samples_dir: Path):
    """Build the wheel, install it (alone) in a new venv, run `vnocr correct` and `vnocr ocr`.

    The new venv gets the wheel with --no-deps; the dependencies are made visible from this
    venv's site-packages by a path line (which does not bring this venv's editable vnocr), so
    the test needs no network and proves that the wheel carries the code and the models.
    """
    source = _repo_copy(tmp_path / "src")
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("vnocr-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    fresh = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(fresh), "install", "-q", "--no-deps"]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(fresh), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k != "VNOCR_LEXICON_DIR"}
    where = subprocess.run(
        [str(fresh), "-c", "import vnocr.lexicon as l, vnocr; print(vnocr.__file__, l.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    ).stdout
    assert str(ROOT) not in where and str(venv) in where

    vnocr_bin = str(venv / "bin" / "vnocr")
    raw = "Nghi quyet cua Ban Chap hanh Trung uong\n"
    corrected = subprocess.run(
        [vnocr_bin, "correct", "-"],
        input=raw,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert corrected.returncode == 0, corrected.stderr
    assert "Nghị quyết" in corrected.stdout and "Ban Chấp hành" in corrected.stdout
    page = subprocess.run(
        [vnocr_bin, "ocr", str(samples_dir / "report_clean.png")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert page.returncode == 0, page.stderr
    truth = (samples_dir / "report_clean.gt.txt").read_text(encoding="utf-8")
    from vnocr.text import evaluate

    assert evaluate.compare(truth, page.stdout)["wer"] < 0.02


# ------------------------------------------------------------------------------ the layers

#: Each part of the package and its layer: a module imports only from lower layers and from its
#: own part, so data flows one way (image, text -> models -> restore -> api -> archive -> cli).
LAYERS = {
    "__version__": 0,
    "errors": 0,
    "settings": 0,
    "results": 0,
    "tempfiles": 0,
    "text": 1,
    "image": 2,
    "models": 2,
    "restore": 3,
    "outputs": 3,
    "layout": 3,
    "api": 4,
    "formats": 4,
    "archive": 5,
    "cli": 6,
    "ocrmypdf_plugin": 6,
    "__init__": 7,
    "__main__": 7,
}


def _part(module: str) -> str:
    """`vnocr.restore.decode` -> "restore"; `vnocr` -> "__init__"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, module: str) -> set[str]:
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if base != "vnocr":  # `from vnocr import x` imports x, not the package's __init__
                found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "vnocr" or name.startswith("vnocr.")}


def test_imports_flow_one_way():
    code = ROOT / "pipeline"
    wrong = []
    for path in sorted(code.rglob("*.py")):
        relative = path.relative_to(code).with_suffix("")
        module = ".".join(("vnocr", *relative.parts)).removesuffix(".__init__")
        if path.name == "__init__.py" and module != "vnocr":
            continue
        own = _part(module) if module != "vnocr" else "__init__"
        for target in _imports(path, module):
            other = _part(target)
            if other not in LAYERS or other == own:
                continue  # vnocr.__version__ and the like, or the module's own part
            if LAYERS[other] >= LAYERS[own]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []
