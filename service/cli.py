"""The `roen` command: translate files, manage models, serve HTTP, evaluate."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from service.cli_keys import add_parser as add_keys_parser
from service.errors import InputError, RoenError
from service.settings import Settings

if TYPE_CHECKING:
    from service.models.prepare import Needed
    from service.terms.apply import Terms


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings a command runs with: its flags over the environment over `.env`."""
    # A flag given wins over the environment and .env; `is not None`, so that `--beam-size 0`
    # is refused by Settings rather than silently replaced by the environment's value.
    flags = {"model": "translation_model", "beam_size": "beam_size", "backend": "backend"}
    overrides = {
        setting: getattr(args, flag)
        for flag, setting in flags.items()
        if getattr(args, flag, None) is not None
    }
    return Settings(**overrides)


def _read_input(path: str | None) -> str:
    if path in (None, "-"):
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        byte = err.object[err.start]
        raise InputError(
            f"{path} is not UTF-8 text (byte 0x{byte:02x} at offset {err.start})."
        ) from None


def _terms(path: str | None) -> Terms:
    """`--glossary FILE`: DeepL's TSV (or CSV, by its extension), checked as the API checks it."""
    from service.terms.apply import Terms
    from service.terms.glossary import parse_entries

    if not path:
        return Terms()
    kind = "csv" if path.lower().endswith(".csv") else "tsv"
    return Terms.of(parse_entries(_read_input(path), kind, field="--glossary"))


def cmd_translate(args: argparse.Namespace) -> int:
    from service.pipeline.answers import SegmentOut, plain
    from service.pipeline.pipeline import Pipeline
    from service.pipeline.types import TranslateOptions

    settings = settings_from(args)
    text = _read_input(args.file)
    options = TranslateOptions(args.beam_size, terms=_terms(args.glossary))
    pipeline = Pipeline.for_files(settings)
    try:
        result = pipeline.run(pipeline.translate([text], options))[0]
    finally:
        pipeline.engines.close()
    if args.segments:
        for seg in result.segments:
            print(json.dumps(plain(SegmentOut.of(seg)), ensure_ascii=False))
    else:
        sys.stdout.write(result.translation)
        if not result.translation.endswith("\n"):
            sys.stdout.write("\n")
    return 0


def _needed(settings: Settings) -> list[Needed]:
    from service.models.prepare import needed
    from service.runtime.factory import chosen_backend

    return needed(settings, ctranslate2=chosen_backend(settings) == "ctranslate2")


def cmd_models_download(args: argparse.Namespace, *, only_missing: bool = False) -> int:
    """Download what the configuration serves with and convert it to its runtime form."""
    settings = settings_from(args)
    failed = 0
    for model in _needed(settings):
        if only_missing:
            try:
                model.runtime()
                continue  # already servable: no network at start-up
            except RoenError:
                pass
        print(f"{model.role}: {model.name} → {settings.model_cache.resolve()}", file=sys.stderr)
        try:
            print(f"{model.role}: ready at {model.prepare()}", file=sys.stderr)
        except RoenError as err:
            print(f"roen: {err.for_cli()}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def cmd_models_status(args: argparse.Namespace) -> int:
    from service.models.resolve import folder_size

    settings = settings_from(args)
    print(f"model cache: {settings.model_cache.resolve()}  (ROEN_MODEL_CACHE)")
    print(f"translation runs on: {_device(settings)}  (ROEN_DEVICE={settings.device})")
    rows: list[tuple[str, ...]] = []
    missing = 0
    for model in _needed(settings):
        form = f"ctranslate2 {model.quantization}" if model.quantization else "torch"
        try:
            path = model.runtime()
            size = f"{folder_size(path) / 1e6:.1f} MB"
            rows.append((model.role, model.name, "ready", form, size, str(path)))
        except RoenError as err:
            missing += 1
            rows.append((model.role, model.name, "MISSING", form, "", err.for_cli()))
    print(_table(rows))
    return 1 if missing else 0


def _device(settings: Settings) -> str:
    from service.runtime.device import placement
    from service.runtime.factory import chosen_backend

    if chosen_backend(settings) != "ctranslate2":
        return "cpu (the torch backend)"
    try:
        where = placement(settings)
    except RoenError as err:
        return f"nothing: {err.detail}"
    return f"{where.label} ({where.reason})"


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Columns two spaces apart, each as wide as its widest cell; the last cell runs free."""
    columns = max(len(row) for row in rows)
    widths = [
        max((len(row[i]) for row in rows if i < len(row) - 1), default=0) for i in range(columns)
    ]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )


def cmd_models_import(args: argparse.Namespace) -> int:
    from service.models.opus_import import import_opus_mt
    from service.runtime.factory import chosen_backend

    settings = settings_from(args)
    source = Path(args.release)
    name = args.name or source.name.removesuffix(".zip")
    target = settings.model_cache / "imported" / name
    print(f"importing {source} → {target}", file=sys.stderr)
    import_opus_mt(source, target)
    if chosen_backend(settings) == "ctranslate2":
        from service.models.convert import ensure_converted

        print(f"converting for CTranslate2 ({settings.ct2_compute_type})…", file=sys.stderr)
        # under the folder's path: the name ROEN_TRANSLATION_MODEL will give
        ensure_converted(
            target, str(target.resolve()), settings.model_cache, settings.ct2_compute_type
        )
    print(f"done. Use it with:  ROEN_TRANSLATION_MODEL={target.resolve()}")
    return 0


def cmd_healthcheck(args: argparse.Namespace) -> int:
    """Exit 0 when the local server is ready (for Docker's HEALTHCHECK; no curl in the image)."""
    import urllib.request

    settings = Settings()
    url = f"http://127.0.0.1:{settings.port}/health/ready"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as err:
        print(f"roen: not ready ({err})", file=sys.stderr)
        return 1


def cmd_serve(args: argparse.Namespace) -> int:
    from service.runtime.memory import one_heap

    one_heap()  # first, before any thread starts (runtime/memory.py says why)
    settings = Settings()
    host = args.host if args.host is not None else settings.host
    port = args.port if args.port is not None else settings.port
    from service.http.serve import serve

    def prepare() -> None:
        # Best effort, in the background while the server listens: with no network the
        # service still starts and says what is missing.
        cmd_models_download(args, only_missing=True)

    serve(settings, host, port, prepare if args.download_missing else None)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from service.evaluate import (
        LineFile,
        Run,
        check_aligned,
        compared_settings,
        report,
        score,
        translate_lines,
    )

    # Every input is checked before the first sentence is translated.
    ref = LineFile.read("--reference", args.reference)
    if args.hypothesis:
        hyp = LineFile.read("--hypothesis", args.hypothesis)
        check_aligned(hyp, ref)
        print(report(Run(args.hypothesis, hyp.lines, 0.0, 0), score(hyp.lines, ref.lines), None))
        return 0
    if not args.source:
        raise InputError("--source is needed unless --hypothesis is given.")
    src = LineFile.read("--source", args.source)
    check_aligned(src, ref)
    base = settings_from(args)
    configs = [("configured", base)]
    if args.compare:
        configs = [(spec, compared_settings(base, spec)) for spec in args.compare]
    for label, settings in configs:
        run = translate_lines(settings, src.lines, label)
        suffix = label if len(configs) > 1 else "hyp"
        out = Path(args.output or f"{Path(args.source).name}.{suffix}.en")
        out = out.with_name(out.name.replace("/", "_").replace(",", "_").replace("=", "-"))
        out.write_text("\n".join(run.hypotheses) + "\n", encoding="utf-8")
        print(report(run, score(run.hypotheses, ref.lines), out.resolve()), flush=True)
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from service.batch.records import Fields
    from service.batch.runner import BatchOptions, print_progress, run_local
    from service.pipeline.types import SummaryOptions, TranslateOptions

    source, target = Path(args.input), Path(args.output)
    if not source.exists():
        raise InputError(f"{source} does not exist.")
    index, _, count = (args.shard or "0/1").partition("/")
    if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
        raise InputError(
            f"--shard takes INDEX/COUNT with INDEX < COUNT, e.g. 0/4, not {args.shard}."
        )
    options = BatchOptions(
        fields=Fields(args.id_field, args.text_field),
        summary=SummaryOptions.of(args.length, None, args.summary_type, args.summary_format),
        segments=args.segments,
        digest=not args.translate_only,
        window=args.window,
        chunk=args.chunk,
        shard=(int(index), int(count)),
        translate=TranslateOptions(terms=_terms(args.glossary)),
    )
    if args.ray is not None and options.shard != (0, 1):
        raise InputError("--shard is for separate machines without Ray; Ray shards by itself.")
    settings = settings_from(args)
    if args.ray is not None:
        from service.batch.on_ray import run_on_ray

        totals = run_on_ray(settings, source, target, options, args.ray or None, args.actors)
    else:
        totals = run_local(settings, source, target, options, print_progress())
    tokens = f", {totals.tokens} generated tokens" if totals.tokens else ""
    print(
        f"\r{totals.records:,} records ({totals.errors:,} with an error, {totals.skipped:,} "
        f"done by an earlier run{tokens}) in {totals.seconds:.2f} s → {target}",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("translate", help="translate a Romanian text file (or stdin) to English")
    tr.add_argument("file", nargs="?", help="UTF-8 text file; - or nothing for stdin")
    tr.add_argument(
        "--segments", action="store_true", help="print source/target pairs as JSON lines"
    )
    tr.add_argument(
        "--beam-size", type=int, help="beam width (default: ROEN_BEAM_SIZE or the checkpoint's)"
    )
    tr.add_argument("--model", help="hub id or folder (default: ROEN_TRANSLATION_MODEL)")
    tr.add_argument(
        "--glossary",
        metavar="FILE",
        help="terms kept as the file says: DeepL's TSV (Romanian<TAB>English a line) or .csv",
    )
    tr.set_defaults(func=cmd_translate)

    models = sub.add_parser("models", help="download or inspect the configured models")
    msub = models.add_subparsers(dest="models_command", required=True)
    dl = msub.add_parser("download", help="fetch the configured models into ROEN_MODEL_CACHE")
    dl.add_argument("--model", help="translation model to fetch instead of the configured one")
    dl.set_defaults(func=cmd_models_download)
    st = msub.add_parser("status", help="list configured models and whether they are on disk")
    st.add_argument("--model", help="translation model to check instead of the configured one")
    st.set_defaults(func=cmd_models_status)

    im = msub.add_parser(
        "import-opus-mt",
        help="convert a Marian-native OPUS-MT release (zip or folder) into model_cache",
    )
    im.add_argument(
        "release", help="the release zip (model.npz, *.spm, *.vocab.yml, decoder.yml) or its folder"
    )
    im.add_argument(
        "--name", help="folder name under model_cache/imported/ (default: the zip's name)"
    )
    im.set_defaults(func=cmd_models_import)

    hc = sub.add_parser("healthcheck", help="exit 0 if the local server is ready (for containers)")
    hc.set_defaults(func=cmd_healthcheck)

    sv = sub.add_parser("serve", help="run the HTTP service")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sv.add_argument(
        "--download-missing",
        action="store_true",
        help="try `models download` first; start anyway if it fails",
    )
    sv.set_defaults(func=cmd_serve)
    ev = sub.add_parser("eval", help="translate a test set and print sacreBLEU BLEU and chrF2")
    ev.add_argument("--source", help="Romanian, one sentence per line")
    ev.add_argument(
        "--reference", required=True, help="English reference, one line per source line"
    )
    ev.add_argument("--hypothesis", help="score this existing output instead of translating")
    ev.add_argument(
        "--output", help="where to write the hypotheses (default: beside the working dir)"
    )
    ev.add_argument("--model")
    ev.add_argument("--backend", choices=["auto", "ctranslate2", "torch"])
    ev.add_argument("--beam-size", type=int)
    ev.add_argument(
        "--compare",
        nargs=2,
        metavar="KEY=VALUE,…",
        help="two configurations, e.g. backend=torch,beam_size=4 backend=ctranslate2,beam_size=1",
    )
    ev.set_defaults(func=cmd_eval)

    ba = sub.add_parser(
        "batch",
        help="translate and digest a corpus: JSON Lines, Parquet or a folder of .txt/.html",
    )
    ba.add_argument("input", help="a .jsonl or .parquet file, or a folder of .txt / .html files")
    ba.add_argument(
        "output", help="a .jsonl or .parquet file; run again with the same one to resume"
    )
    ba.add_argument("--id-field", default="id", help="the records' id column (default: id)")
    ba.add_argument("--text-field", default="text", help="their text column (default: text)")
    ba.add_argument("--length", choices=["short", "medium", "long"], default="short")
    ba.add_argument(
        "--type",
        dest="summary_type",
        choices=["key-points", "tldr", "teaser", "headline"],
        default="key-points",
        help="the digest's kind (docs/api.md, Summaries)",
    )
    ba.add_argument(
        "--summary-format",
        choices=["plain", "markdown"],
        default="plain",
        help="markdown: key points as bullets, each with its Romanian source as a footnote",
    )
    ba.add_argument("--segments", action="store_true", help="write each sentence pair too")
    ba.add_argument(
        "--translate-only",
        action="store_true",
        help="translations without a headline and summary (the summariser is not loaded)",
    )
    ba.add_argument("--window", type=int, default=64, help="records in flight (default: 64)")
    ba.add_argument(
        "--chunk", type=int, default=256, help="records per output chunk (default: 256)"
    )
    ba.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="run on Ray: a cluster's address, or none for a local Ray (needs roen[ray])",
    )
    ba.add_argument(
        "--actors", type=int, help="with --ray: model replicas (default: CPUs / threads)"
    )
    ba.add_argument(
        "--shard",
        metavar="INDEX/COUNT",
        help="take every COUNT-th record from INDEX (0-based): one of COUNT machines or pods",
    )
    ba.add_argument("--model", help="hub id or folder (default: ROEN_TRANSLATION_MODEL)")
    ba.add_argument(
        "--glossary",
        metavar="FILE",
        help="terms kept as the file says: DeepL's TSV (Romanian<TAB>English a line) or .csv",
    )

    ba.add_argument("--beam-size", type=int)
    ba.set_defaults(func=cmd_batch)
    add_keys_parser(sub)

    return parser


def _drop(record: logging.LogRecord) -> bool:
    return False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A command loads its models now and main prints what failed, worded for a terminal; the
    # engines' log of that failure is the server's, and would say it twice (restart the server).
    engines_log = logging.getLogger("roen.engines")
    if args.func is not cmd_serve:
        engines_log.addFilter(_drop)
    try:
        return int(args.func(args))
    except RoenError as err:
        print(f"roen: {err.for_cli()}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as err:
        print(f"roen: {err}", file=sys.stderr)
        return 2
    except ValidationError as err:  # a setting out of range, from a flag, the env or .env
        for problem in err.errors():
            name = ".".join(str(part) for part in problem["loc"])
            print(f"roen: setting {name} (ROEN_{name.upper()}): {problem['msg']}", file=sys.stderr)
        return 2
    finally:
        engines_log.removeFilter(_drop)


if __name__ == "__main__":
    sys.exit(main())
