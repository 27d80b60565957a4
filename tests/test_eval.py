"""`roen eval`: the published OPUS-MT score is reproduced; translating and comparing run."""

import subprocess
import sys
from pathlib import Path

import pytest

from service.evaluate import parse_overrides, score

# ../shared/data sits beside the checkout in CI and on developer machines.
WMT = Path(__file__).resolve().parents[2] / "shared" / "data" / "wmt16"


def test_reproduces_the_published_opus_mt_score():
    # ../shared/data sits beside the checkout in CI and on developer machines.
    hyp = WMT / "published" / "newstest2016.opus-mt-ron-eng-opus+bt-2021-04-30.en"
    assert hyp.is_file(), f"shared data missing: {hyp}"
    s = score(
        hyp.read_text(encoding="utf-8").splitlines(),
        (WMT / "newstest2016.en").read_text(encoding="utf-8").splitlines(),
    )
    assert round(s.bleu, 1) == 40.2
    assert round(s.chrf, 2) == 64.18
    assert "tok:13a" in s.bleu_signature and "case:mixed" in s.bleu_signature
    assert "nc:6" in s.chrf_signature and "nw:0" in s.chrf_signature


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError):
        score(["a"], ["a", "b"])


def test_overrides():
    assert parse_overrides("backend=torch, beam-size=4") == {"backend": "torch", "beam_size": "4"}
    with pytest.raises(ValueError):
        parse_overrides("backend")


@pytest.mark.model
def test_translate_and_compare_with_tiny_model(tiny_marian, tmp_path):
    data = Path(__file__).parent / "data"
    src, ref = tmp_path / "s.ro", tmp_path / "r.en"
    src.write_text(
        "\n".join((data / "corpus.ro.txt").read_text(encoding="utf-8").splitlines()[:6]) + "\n"
    )
    ref.write_text(
        "\n".join((data / "corpus.en.txt").read_text(encoding="utf-8").splitlines()[:6]) + "\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "eval",
            "--source",
            str(src),
            "--reference",
            str(ref),
            "--model",
            str(tiny_marian),
            "--compare",
            "backend=torch,beam_size=1",
            "backend=ctranslate2,beam_size=1",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("BLEU") == 2 and proc.stdout.count("chrF2") == 2
    assert "[backend=torch,beam_size=1]" in proc.stdout and "tokens/s" in proc.stdout
    written = list(tmp_path.glob("s.ro.*.en"))
    assert len(written) == 2 and all(len(p.read_text().splitlines()) == 6 for p in written)
