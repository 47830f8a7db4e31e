"""The `vnocr` command line: a thin layer over vnocr.api and the stage modules.

Every command is a small function. Expected failures are VnocrError subclasses; they are
turned into one `vnocr: error: ...` line and an exit code in VnocrGroup.main, in one place.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from tqdm import tqdm

from vnocr import api
from vnocr.errors import DependencyError, ExitCode, UsageError, VnocrError
from vnocr.formats.pdf import DEFAULT_PDFA, PDFA_LEVELS
from vnocr.image import engine, load
from vnocr.image.preprocess import AUTO_STEPS, STEPS, parse_mode
from vnocr.outputs import (
    OutputError,
    atomic_open,
    check_output,
    page_record,
    page_text_block,
    printable,
)
from vnocr.settings import DEFAULT_MAX_PIXELS, TONE_STYLES, Settings
from vnocr.tempfiles import private_tempdir
from vnocr.text import decoding, legacy_encodings

if TYPE_CHECKING:
    from vnocr.results import Change, TextCorrector


#: Output formats of `vnocr ocr`.
OCR_FORMATS = ("txt", "jsonl", "hocr", "alto", "pdf")


def error(message: str) -> None:
    """Print one error line on stderr."""
    click.echo(f"vnocr: error: {message}", err=True)


def page_warnings_failed(result: api.PageResult, strict: bool) -> bool:
    """Print a page's warnings on stderr (as errors with `strict`); True if it then fails."""
    for warning in result.warnings:
        where = f"{printable(result.source)}, page {result.page}"
        if strict:
            error(f"{where}: {warning} (--strict)")
        else:
            click.echo(f"vnocr: warning: {where}: {warning}", err=True)
    return strict and bool(result.warnings)


class VnocrGroup(click.Group):
    """A click group that maps VnocrError, Ctrl-C and usage errors to exit codes, no traceback."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            with private_tempdir():
                result = super().main(
                    args, prog_name or "vnocr", complete_var, standalone_mode=False, **extra
                )
        except click.ClickException as exc:  # usage errors: click prints them, exit 2
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("vnocr: interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        except VnocrError as exc:
            error(str(exc))
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # e.g. `vnocr ocr x.pdf | head`
            sys.stderr.close()
            sys.exit(ExitCode.FAILED)
        except OSError as exc:  # most often writing stdout failed: a full disk, an I/O error
            where = f"{exc.filename}: " if exc.filename else ""
            error(f"{where}{exc.strerror or exc} (check the disk and where the output goes)")
            sys.exit(ExitCode.FAILED)
        sys.exit(int(result) if isinstance(result, int) else ExitCode.OK)


@click.group(cls=VnocrGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnocr", prog_name="vnocr")
def cli() -> None:
    """vnocr: OCR and diacritic restoration for scanned Vietnamese documents."""


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="vnocr")


# ---------------------------------------------------------------------------------------------
# Shared options and helpers

tone_style_option = click.option(
    "--tone-style",
    type=click.Choice(TONE_STYLES),
    default="keep",
    show_default=True,
    help="Tone-mark placement in oa/oe/uy: old (hóa, thủy), new (hoá, thuỷ) or keep as found.",
)
lexicon_option = click.option(
    "--lexicon",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Your own language model (built by 'vnocr lexicon build'), mixed with the shipped one.",
)
explain_option = click.option(
    "--explain", is_flag=True, help="Print every correction (old -> new, margin) on stderr."
)
strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (a damaged PDF page) as failures: the page is not written.",
)
force_option = click.option(
    "--force", is_flag=True, help="Replace OUT even if it is a read-only file."
)


def check_output_path(out: str | Path | None, inputs: Iterable[str | Path], force: bool) -> None:
    """Refuse (before any work) an output that names an input, a folder, a device, a FIFO,
    a socket or a read-only file (see `outputs.check_output`); stdout needs no check."""
    if out is not None and str(out) != "-":
        check_output(out, inputs, force)


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The canonical name of an --encoding value; an unknown name is a usage error (exit 2)."""
    if value is None:
        return None
    encoding = legacy_encodings.lookup(value)
    if encoding is None:
        names = ", ".join(legacy_encodings.NAMES)
        raise click.BadParameter(f"unknown encoding '{value}' (use one of: {names})")
    return encoding.name


encoding_option = click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    callback=_check_encoding,
    help="Encoding of text input: " + ", ".join(legacy_encodings.NAMES) + " [default: UTF-8, "
    "else the legacy encoding whose words are valid Vietnamese, reported on stderr].",
)


def _check_preprocess(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Reject a bad --preprocess mode up front (usage error, exit 2)."""
    try:
        parse_mode(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


# Page segmentation modes that give no text: 0 only detects orientation and script, 2 is not
# implemented by Tesseract.
_PSM_WITHOUT_TEXT = {0: "only detects orientation and script", 2: "is not implemented"}


def _check_psm(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """Reject a page segmentation mode that gives no text (usage error, exit 2)."""
    if value in _PSM_WITHOUT_TEXT:
        raise click.BadParameter(
            f"mode {value} {_PSM_WITHOUT_TEXT[value]} in Tesseract and gives no text "
            "(use 3, the default, or 1, 4-13)",
            ctx=ctx,
            param=param,
        )
    return value


preprocess_option = click.option(
    "--preprocess",
    default="auto",
    show_default=True,
    callback=_check_preprocess,
    metavar="MODE",
    help=f"Image clean-up before OCR: none, auto ({','.join(AUTO_STEPS)}) or a "
    f"comma-separated list of steps from {','.join(STEPS)}.",
)
alternatives_option = click.option(
    "--alternatives/--no-alternatives",
    default=Settings.alternatives,
    show_default=True,
    help="Give the corrector Tesseract's per-character alternatives (about 14% slower OCR).",
)


def _choose_engine(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Use the engine named by --engine (or VNOCR_ENGINE) here and in batch workers."""
    if value:
        engine.choose(value)


engine_option = click.option(
    "--engine",
    type=click.Choice(engine.ENGINES, case_sensitive=False),
    default=None,
    envvar=engine.ENGINE_ENV,
    expose_value=False,
    callback=_choose_engine,
    help="OCR engine: tesserocr (Tesseract in-process, models loaded once), pytesseract (the "
    "tesseract program per page) or auto (tesserocr when installed)  [default: auto]",
)


def page_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of `ocr` and `batch` that say how each page is read and corrected."""
    options = [
        click.option(
            "--dpi",
            type=click.IntRange(50, 1200),
            default=300,
            show_default=True,
            help="Resolution PDFs are rendered at (and assumed for images without one).",
        ),
        click.option(
            "--psm",
            type=click.IntRange(0, 13),
            default=3,
            show_default=True,
            callback=_check_psm,
            help="Tesseract page segmentation mode (1, 3-13; 0 and 2 give no text).",
        ),
        click.option(
            "--lang", default="vie", show_default=True, help="Tesseract language(s), e.g. vie+eng."
        ),
        click.option("--no-correct", is_flag=True, help="Keep the raw OCR text, no correction."),
        tone_style_option,
        lexicon_option,
        preprocess_option,
        alternatives_option,
        engine_option,
        click.option(
            "--max-pixels",
            type=click.IntRange(1),
            default=DEFAULT_MAX_PIXELS,
            show_default=True,
            envvar="VNOCR_MAX_PIXELS",
            help="Refuse page images larger than this many pixels.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def page_settings(
    lang: str,
    psm: int,
    dpi: int,
    no_correct: bool,
    tone_style: str,
    lexicon: Path | None,
    preprocess: str,
    max_pixels: int,
    alternatives: bool,
) -> Settings:
    """The Settings that the `page_options` of a command describe."""
    return Settings(
        lang=lang,
        psm=psm,
        dpi=dpi,
        correct=not no_correct,
        tone_style=tone_style,
        lexicon=lexicon,
        preprocess=preprocess,
        max_pixels=max_pixels,
        alternatives=alternatives,
    )


def _binary_stdout() -> IO[bytes]:
    return sys.stdout.buffer


@contextmanager
def open_output(out: str | None) -> Iterator[IO[bytes]]:
    """The binary stream to write to: stdout for None or "-", else an atomic file."""
    if out is None or out == "-":
        stream = _binary_stdout()
        yield stream
        stream.flush()
    else:
        with atomic_open(out, "wb") as handle:
            yield handle


def note_encoding(where: str, encoding: str) -> None:
    """Say on stderr which legacy encoding a text input was found to be in."""
    click.echo(f"vnocr: {where}: decoded as {legacy_encodings.label(encoding)}", err=True)


def print_changes(changes: Iterable[Change], where: str) -> None:
    """Print each correction on stderr as `where:line:col: old -> new (margin m)`."""
    for change in changes:
        click.echo(
            f"{where}:{change.line}:{change.column}: {change.old} -> {change.new} "
            f"(margin {change.margin:.2f})",
            err=True,
        )


# ---------------------------------------------------------------------------------------------
# vnocr ocr


@cli.command("ocr")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    "out",
    default=None,
    metavar="OUT",
    help="Write to OUT (atomically) instead of stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OCR_FORMATS),
    default="txt",
    show_default=True,
    help="txt: pages separated by form feed; jsonl: one record per page; hocr: hOCR with the "
    "corrected words at their positions; alto: ALTO 4 XML of one document; pdf: the original "
    "pages with an invisible layer of the corrected text (PDF/A; one INPUT, needs -o).",
)
@click.option("--pages", default=None, metavar="SPEC", help="Pages to OCR, e.g. 1-3,7.")
@click.option(
    "--pdfa",
    type=click.Choice(PDFA_LEVELS),
    default=DEFAULT_PDFA,
    show_default=True,
    help="With --format pdf: PDF/A-1b, -2b or -3b, or none (a plain PDF).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=None,
    help="With --format pdf: pages OCR'd at once [default: all cores].",
)
@page_options
@explain_option
@strict_option
@force_option
def ocr_command(
    inputs: tuple[str, ...],
    out: str | None,
    fmt: str,
    pages: str | None,
    pdfa: str,
    jobs: int | None,
    dpi: int,
    psm: int,
    lang: str,
    no_correct: bool,
    tone_style: str,
    lexicon: Path | None,
    preprocess: str,
    alternatives: bool,
    max_pixels: int,
    explain: bool,
    strict: bool,
    force: bool,
) -> int:
    """OCR images and PDFs to text, hOCR, ALTO or a searchable PDF/A.

    INPUT is a PNG, JPEG, TIFF (multi-page), BMP, WebP or PDF file. The text goes to stdout
    or OUT; a bad input is reported and the others are still processed (exit 1 at the end).

    --format pdf keeps the pages of a PDF input untouched (images become a PDF) and adds the
    corrected text, invisible, at the words' positions, so that a PDF viewer or a repository
    can search it; it is built by OCRmyPDF with vnocr as its OCR engine.
    """
    settings = page_settings(
        lang, psm, dpi, no_correct, tone_style, lexicon, preprocess, max_pixels, alternatives
    )
    page_list = load.parse_page_spec(pages)
    check_output_path(out, inputs, force)
    if fmt == "pdf":
        return run_pdf(list(inputs), settings, page_list, out, pdfa, jobs, explain)
    if fmt == "alto" and len(inputs) > 1:
        raise UsageError("--format alto describes one document: give one INPUT")
    return run_ocr(list(inputs), settings, page_list, out, fmt, explain, strict)


def run_pdf(
    inputs: list[str],
    settings: Settings,
    pages: Iterable[int] | None,
    out: str | None,
    pdfa: str,
    jobs: int | None,
    explain: bool,
) -> int:
    """Write the searchable PDF of one input (see vnocr.formats.pdf)."""
    from vnocr.formats import pdf

    if len(inputs) != 1:
        raise UsageError("--format pdf makes one PDF per input: give one INPUT (or use batch)")
    if out in (None, "-"):
        raise UsageError("--format pdf needs an output file: -o OUT.pdf")
    if explain:
        raise UsageError("--explain is not available with --format pdf (use --format txt)")
    api.ocr.check_tesseract(settings.lang)
    pdf.make_pdf(inputs[0], out, settings, pdfa=pdfa, jobs=jobs, pages=pages)
    return ExitCode.OK


def _plan(
    inputs: list[str], settings: Settings, pages: Iterable[int] | None
) -> tuple[list[tuple[str, list[int]]], int]:
    """Check each input and list its pages; report bad inputs. Returns (plan, failures)."""
    plan: list[tuple[str, list[int]]] = []
    failures = 0
    for path in inputs:
        try:
            plan.append((path, api.file_pages(path, settings, pages)))
        except DependencyError:
            raise
        except VnocrError as exc:
            error(str(exc))
            failures += 1
    return plan, failures


class _NothingWritten(Exception):
    """Every page failed: the output file is not created (raised inside its atomic write)."""


def run_ocr(
    inputs: list[str],
    settings: Settings,
    pages: Iterable[int] | None,
    out: str | None,
    fmt: str,
    show_changes: bool,
    strict: bool = False,
) -> int:
    """OCR every input; a failing input or page is reported and the rest still processed."""
    api.ocr.check_tesseract(settings.lang)
    plan, failures = _plan(inputs, settings, pages)
    if not plan:
        return ExitCode.FAILED
    corrector = api.make_corrector(settings) if settings.correct else None
    try:
        with open_output(out) as stream:
            written, failed = _write_pages(
                plan, settings, corrector, stream, fmt, show_changes, strict
            )
            failures += failed
            if not written and out not in (None, "-"):
                raise _NothingWritten  # leave no empty file that looks like a result
    except _NothingWritten:
        error(f"{out}: not written (no page was converted)")
    return ExitCode.FAILED if failures else ExitCode.OK


def _write_pages(
    plan: list[tuple[str, list[int]]],
    settings: Settings,
    corrector: TextCorrector | None,
    stream: IO[bytes],
    fmt: str,
    show_changes: bool,
    strict: bool = False,
) -> tuple[int, int]:
    """OCR the planned pages into `stream`, with a progress bar; (pages written, pages failed)."""
    total_pages = sum(len(page_numbers) for _, page_numbers in plan)
    show_bar = total_pages > 1 and sys.stderr.isatty()
    written = failures = 0
    results: list[api.PageResult] = []
    with tqdm(
        total=total_pages, unit="page", disable=not show_bar, file=sys.stderr, leave=False
    ) as bar:
        for path, page_numbers in plan:
            for page in page_numbers:
                try:
                    result = api.process_page(path, page, settings, corrector)
                except DependencyError:
                    raise
                except VnocrError as exc:
                    error(str(exc))
                    failures += 1
                    bar.update(1)
                    continue
                if page_warnings_failed(result, strict):
                    failures += 1
                    bar.update(1)
                    continue
                if fmt in DOCUMENT_FORMATS:
                    results.append(result)
                else:
                    stream.write(_chunk(result, fmt, first=not written))
                    stream.flush()
                written += 1
                if show_changes:
                    print_changes(result.changes, f"{path}:page {page}")
                bar.update(1)
    if results:
        stream.write(format_document(results, fmt, plan[0][0]))
    return written, failures


#: Formats written as one document at the end (the others are streamed page by page).
DOCUMENT_FORMATS = ("hocr", "alto")


def _chunk(result: api.PageResult, fmt: str, first: bool) -> bytes:
    """One page of a streamed format (txt, jsonl)."""
    if fmt == "jsonl":
        return (json.dumps(page_record(result), ensure_ascii=False) + "\n").encode("utf-8")
    return (("" if first else "\f") + page_text_block(result.text)).encode("utf-8")


def format_document(results: list[api.PageResult], fmt: str, source: str) -> bytes:
    """The hOCR or ALTO document of `results`."""
    from vnocr.formats import alto, hocr

    if fmt == "alto":  # one document: its own page numbers
        pages = [(r.page, r.words, r.image_size or (0, 0)) for r in results]
        return alto.document(Path(source).name, pages)
    # hOCR may gather several inputs: pages are numbered in order
    return hocr.document(
        (number, r.words, r.image_size or (0, 0)) for number, r in enumerate(results, start=1)
    )


# ---------------------------------------------------------------------------------------------
# vnocr correct


@cli.command("correct")
@click.argument("input_path", metavar="INPUT")
@click.option(
    "-o",
    "--output",
    "out",
    default=None,
    metavar="OUT",
    help="Write to OUT (atomically); '-' or nothing means stdout.",
)
@tone_style_option
@lexicon_option
@encoding_option
@explain_option
@force_option
def correct_command(
    input_path: str,
    out: str | None,
    tone_style: str,
    lexicon: Path | None,
    encoding: str | None,
    explain: bool,
    force: bool,
) -> int:
    """Correct a text file (diacritics, Unicode).

    INPUT is UTF-8 (or UTF-16 with a BOM), or TCVN3, VNI, VISCII, Windows-1258 or VIQR
    (detected, or named with --encoding); '-' reads stdin. One output line per input line.
    """
    settings = Settings(tone_style=tone_style, lexicon=lexicon, encoding=encoding)
    check_output_path(out, [input_path], force)
    where = "<stdin>" if input_path == "-" else input_path
    # Bad input fails on entering, before the models are loaded.
    with decoding.document_blocks(input_path, encoding) as (blocks, detected):
        if detected:
            note_encoding(where, detected)
        corrector = api.make_corrector(settings)
        with open_output(out) as stream:
            for text, changes in api.correct_blocks(blocks, corrector):
                stream.write(text.encode("utf-8"))
                if explain:
                    print_changes(changes, input_path)
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# vnocr eval


@cli.command("eval")
@click.argument("reference", type=click.Path(path_type=Path))
@click.argument("hypothesis", type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the figures as one JSON object on stdout (summary line on stderr).",
)
def eval_command(reference: Path, hypothesis: Path, as_json: bool) -> int:
    """CER and WER of HYPOTHESIS against REFERENCE.

    Both are compared in NFC with whitespace runs folded and the two tone-mark placements
    (hòa/hoà) treated as equal. The last line is the summary.
    """
    from vnocr.text import evaluate

    ref = decoding.read_text(reference)
    hyp = decoding.read_text(hypothesis)
    figures = evaluate.compare(ref, hyp)
    summary = evaluate.summary_line(figures)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False))
        click.echo(summary, err=True)
        return ExitCode.OK
    click.echo(f"reference:  {reference}")
    click.echo(f"hypothesis: {hypothesis}")
    click.echo(f"char edits: {figures['char_distance']}  word edits: {figures['word_distance']}")
    click.echo(summary)
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# vnocr doctor


@cli.command("doctor")
def doctor_command() -> int:
    """Check Tesseract, its models and poppler.

    Prints the install command for anything missing; exits 1 if a required piece is missing.
    """
    from vnocr.image import doctor

    checks = doctor.run_checks()
    for line in doctor.format_checks(checks):
        click.echo(line)
    return ExitCode.FAILED if doctor.has_failures(checks) else ExitCode.OK


# ---------------------------------------------------------------------------------------------
# More commands (batch, index, search, lexicon build) are added below by their modules' owners:
# keep each one a small function that parses options and calls its module.

# ---------------------------------------------------------------------------------------------
# vnocr batch / index / search (issue 4: vnocr.archive.batch, vnocr.archive.search)


@cli.command("batch")
@click.argument("in_dir", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Output folder (mirrors IN_DIR; holds the manifest and errors.jsonl).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=None,
    help="Worker processes, here or with --scheduler local [default: all cores].",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the pages on a Dask cluster: the scheduler's address (tcp://10.0.0.5:8786), "
    "its scheduler file (JSON), or 'local' for a local cluster of --jobs worker processes. "
    "Workers read the inputs from shared storage; this process writes all outputs. "
    "Needs pip install 'vnocr[dask]'.",
)
@click.option(
    "--worker-root",
    metavar="PATH",
    default=None,
    help="With --scheduler: IN_DIR as the Dask workers see it, when they mount the shared "
    "storage at another path [default: the same path as here].",
)
@click.option(
    "--format",
    "formats",
    default="txt,jsonl",
    show_default=True,
    help="Output formats, comma-separated: txt, jsonl, hocr, alto (.alto.xml), pdf (searchable "
    "PDF/A-2b of PDF and image inputs).",
)
@click.option(
    "--index",
    "index_db",
    type=click.Path(path_type=Path),
    default=None,
    help="Also keep this search index (SQLite FTS5) up to date.",
)
@page_options
@encoding_option
@strict_option
def batch_command(
    in_dir: Path,
    out_dir: Path,
    jobs: int | None,
    scheduler: str | None,
    worker_root: str | None,
    formats: str,
    index_db: Path | None,
    encoding: str | None,
    no_correct: bool,
    lang: str,
    dpi: int,
    psm: int,
    tone_style: str,
    lexicon: Path | None,
    preprocess: str,
    alternatives: bool,
    max_pixels: int,
    strict: bool,
) -> int:
    """Convert a folder tree of PDFs, images and OCR .txt files (parallel, resumable).

    .txt files may be in a legacy Vietnamese encoding (detected, or named with --encoding).

    Pages run in --jobs local worker processes, or as tasks on a Dask cluster with --scheduler
    (see README, "Batch on a Dask cluster"). Outputs mirror IN_DIR under OUT; a rerun redoes
    only what changed, failed or is missing.
    """
    from vnocr.archive import batch

    if scheduler is not None and scheduler != "local" and jobs is not None:
        raise UsageError(
            "--jobs sizes the local pool or --scheduler local; on a cluster, the workers you "
            "started decide how many pages run at once"
        )
    if worker_root is not None and scheduler is None:
        raise UsageError("--worker-root needs --scheduler (it maps IN_DIR for Dask workers)")
    settings = page_settings(
        lang, psm, dpi, no_correct, tone_style, lexicon, preprocess, max_pixels, alternatives
    )
    settings = dataclasses.replace(settings, encoding=encoding)
    fmts = tuple(dict.fromkeys(f.strip() for f in formats.split(",") if f.strip()))
    options = batch.BatchOptions(
        in_dir,
        out_dir,
        settings,
        fmts or batch.FORMATS,
        jobs or batch.default_jobs(),
        index_db,
        scheduler=scheduler,
        worker_root=worker_root,
        strict=strict,
    )
    summary = batch.run_batch(options)
    for line in summary.lines():
        click.echo(line, err=True)
    if summary.errors:
        click.echo(f"failures listed in {out_dir / batch.ERRORS_NAME}", err=True)
    return summary.exit_code


@cli.command("index")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--db",
    required=True,
    type=click.Path(path_type=Path),
    help="The index database (created if missing).",
)
def index_command(out_dir: Path, db: Path) -> int:
    """Index a batch output folder for search (incremental)."""
    from vnocr.archive import search

    stats = search.index_tree(out_dir, db)
    for message in stats.errors:
        error(message)
    click.echo(
        f"indexed {stats.indexed} document(s) ({stats.pages} pages), "
        f"{stats.unchanged} unchanged, {stats.removed} removed",
        err=True,
    )
    return ExitCode.FAILED if stats.errors else ExitCode.OK


@cli.command("search")
@click.argument("query")
@click.option("--db", required=True, type=click.Path(path_type=Path), help="Index database.")
@click.option("--exact", is_flag=True, help="Match diacritics exactly (default: ignore them).")
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search_command(query: str, db: Path, exact: bool, limit: int, as_json: bool) -> int:
    """Search the index: words, "phrases", prefix*, AND/OR/NOT; accents optional.

    With --json, a hit on a document converted with --format alto or hocr also lists the
    matching words' boxes on the page image: {"word", "box": [left, top, width, height]} in
    pixels of the page as OCR'd (PDF pages rendered at --dpi).
    """
    from vnocr.archive import search

    tty = sys.stdout.isatty() and not as_json
    mark = ("\x1b[1m", "\x1b[0m") if tty else ("[", "]")
    hits = search.search(db, query, exact=exact, limit=limit, mark=mark)
    for hit in hits:
        if as_json:
            record: dict[str, Any] = {
                "document": hit.source,
                "output": hit.path,
                "page": hit.page,
                "score": hit.score,
                "snippet": hit.snippet,
            }
            if hit.boxes is not None:  # the index has the page's word boxes (ALTO/hOCR output)
                record["boxes"] = [{"word": word, "box": list(box)} for word, box in hit.boxes]
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{hit.source}  page {hit.page}  ({hit.score:.3g})\n    {hit.snippet}")
    if not hits and not as_json:
        click.echo("no matches", err=True)
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# vnocr lexicon build


@cli.group("lexicon")
def lexicon_group() -> None:
    """Build language models from your own clean text."""


@lexicon_group.command("build")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The model file to write (use it with --lexicon).",
)
def lexicon_build_command(corpus: tuple[Path, ...], out: Path) -> int:
    """Build a syllable language model from clean UTF-8 text files.

    The model is mixed with the shipped one by `--lexicon OUT` on ocr, correct and batch, so
    the corrector learns your archive's names, terms and phrasing.
    """
    from vnocr.models import lm

    check_output(out, corpus)
    counts = lm.counts_from_files(corpus)
    if not any(word not in lm.SPECIAL for word in counts.unigrams):
        raise VnocrError("no Vietnamese text found in the corpus files (need clean UTF-8 text)")
    model = lm.build(counts)
    save_model(model, out)
    words = sum(counts.unigrams.values())
    click.echo(
        f"wrote {out}: {len(model.vocab)} symbols, {model.bigram_count} bigrams, "
        f"{model.trigram_count} trigrams "
        f"from {words} tokens",
        err=True,
    )
    return ExitCode.OK


def save_model(model: Any, out: Path) -> None:
    """`model.save(out)` (through a symlink to its target) with write failures as one-line
    errors and, on any failure or Ctrl-C, no temporary file left."""
    target = Path(os.path.realpath(out))
    try:
        model.save(target)
    except BaseException as exc:
        Path(f"{target}.tmp.npz").unlink(missing_ok=True)  # the model's own temporary file
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write ({exc.strerror or exc})", path=str(out)) from None
        raise


def run(argv: list[str] | None = None) -> Any:
    """Run the CLI with `argv` (for tests and embedding); raises SystemExit with the exit code."""
    return cli.main(args=argv, prog_name="vnocr")


__all__ = ["cli", "main", "run", "open_output", "error", "print_changes", "note_encoding"]


if __name__ == "__main__":
    main()
