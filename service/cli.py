"""The `roen` command: translate files, manage models, serve HTTP, benchmark, evaluate."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from service.errors import RoenError
from service.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "model", None):
        overrides["translation_model"] = args.model
    if getattr(args, "beam_size", None):
        overrides["beam_size"] = args.beam_size
    return Settings(**overrides)


def _read_input(path: str | None) -> str:
    if path in (None, "-"):
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8")


def cmd_translate(args: argparse.Namespace) -> int:
    from service.engine.factory import build_translator

    settings = _settings(args)
    text = _read_input(args.file)
    translator, _ = build_translator(settings)
    result = translator.translate([text], beam_size=args.beam_size)[0]
    if args.segments:
        for seg in result.segments:
            row = {
                "source": seg.source,
                "translation": seg.translation,
                "paragraph": seg.paragraph,
                "warnings": list(seg.warnings),
            }
            print(json.dumps(row, ensure_ascii=False))
    else:
        sys.stdout.write(result.translation)
        if not result.translation.endswith("\n"):
            sys.stdout.write("\n")
    return 0


def _configured_models(settings: Settings) -> list[tuple[str, str]]:
    models = [("translation", settings.translation_model)]
    if settings.summary_method == "abstractive":
        models.append(("summary", settings.summary_model))
    return models


def cmd_models_download(args: argparse.Namespace, *, only_missing: bool = False) -> int:
    from service.engine.loading import download_model, resolve_model
    from service.errors import ModelMissing

    settings = _settings(args)
    failed = 0
    for role, ref in _configured_models(settings):
        if only_missing:
            try:
                resolve_model(ref, settings.model_cache)
                continue  # already on disk: no network at start-up
            except ModelMissing:
                pass
        print(f"{role}: {ref} → {settings.model_cache.resolve()}", file=sys.stderr)
        try:
            path = download_model(ref, settings.model_cache)
            print(f"{role}: ready at {path}", file=sys.stderr)
        except RoenError as err:
            print(f"roen: {err}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def cmd_models_status(args: argparse.Namespace) -> int:
    from service.engine.loading import folder_size, resolve_model

    settings = _settings(args)
    missing = 0
    for role, ref in _configured_models(settings):
        try:
            path = resolve_model(ref, settings.model_cache)
            print(f"{role:12} {ref:40} present  {folder_size(path) / 1e6:8.1f} MB  {path}")
        except RoenError as err:
            missing += 1
            print(f"{role:12} {ref:40} MISSING  {err}")
    if settings.summary_method == "extractive":
        print(f"{'summary':12} {'extractive (all-MiniLM-L6-v2, from its wheel)':40} present")
    return 1 if missing else 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.download_missing:
        # Best effort: with no network the service still starts and says what is missing.
        cmd_models_download(args, only_missing=True)
    import uvicorn

    from service.http.app import create_app

    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=30,
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
    tr.set_defaults(func=cmd_translate)

    models = sub.add_parser("models", help="download or inspect the configured models")
    msub = models.add_subparsers(dest="models_command", required=True)
    dl = msub.add_parser("download", help="fetch the configured models into ROEN_MODEL_CACHE")
    dl.add_argument("--model", help="translation model to fetch instead of the configured one")
    dl.set_defaults(func=cmd_models_download)
    st = msub.add_parser("status", help="list configured models and whether they are on disk")
    st.add_argument("--model", help="translation model to check instead of the configured one")
    st.set_defaults(func=cmd_models_status)

    sv = sub.add_parser("serve", help="run the HTTP service")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sv.add_argument(
        "--download-missing",
        action="store_true",
        help="try `models download` first; start anyway if it fails",
    )
    sv.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except RoenError as err:
        print(f"roen: {err}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as err:
        print(f"roen: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
