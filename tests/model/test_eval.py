"""`roen eval`: the published OPUS-MT score is reproduced; translating and comparing run."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import main
from service.evaluate import parse_overrides, score

# ../shared/data sits beside the checkout in CI and on developer machines.
WMT = Path(__file__).resolve().parents[3] / "shared" / "data" / "wmt16"


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
    with pytest.raises(ValueError):
        score([], [])


def test_overrides():
    assert parse_overrides("backend=torch, beam-size=4") == {"backend": "torch", "beam_size": "4"}
    with pytest.raises(ValueError):
        parse_overrides("backend")


@pytest.mark.model
def test_translate_and_compare_with_tiny_model(tiny_marian, tmp_path):
    data = Path(__file__).parent.parent / "data"
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


def _lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def test_eval_scores_a_hypothesis_file_from_the_command_line(tmp_path, capsys):
    """Issue 17: `roen eval --hypothesis` prints sacreBLEU's own corpus scores."""
    from sacrebleu.metrics import BLEU, CHRF

    data = Path(__file__).parent.parent / "data"
    refs = (data / "corpus.en.txt").read_text(encoding="utf-8").splitlines()[:20]
    # a plausible system output: every other line loses its last word
    hyps = [" ".join(r.split()[:-1]) if i % 2 else r for i, r in enumerate(refs)]
    ref, hyp = _lines(tmp_path / "ref.en", refs), _lines(tmp_path / "hyp.en", hyps)
    bleu = BLEU().corpus_score(hyps, [refs]).score
    chrf = CHRF().corpus_score(hyps, [refs]).score
    assert 20 < bleu < 99  # neither identical nor unrelated: the number means something

    assert main(["eval", "--hypothesis", hyp, "--reference", ref]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"[{hyp}]")
    assert re.search(r"BLEU +([\d.]+) ", out)[1] == f"{bleu:.1f}", out
    assert re.search(r"chrF2 +([\d.]+) ", out)[1] == f"{chrf:.2f}", out
    assert "20 lines" in out


def _eval_inputs(tmp_path: Path, problem: str) -> tuple[list[str], str]:
    """The eval arguments for one kind of bad input, and the one line roen must print."""
    ref = _lines(tmp_path / "ref.en", ["A cat.", "A dog."])
    hyp = tmp_path / "hyp.en"
    if problem == "more hypotheses than references":
        _lines(hyp, ["A cat.", "A dog.", "A bird."])
        return ["--hypothesis", str(hyp), "--reference", ref], (
            f"--hypothesis {hyp} has 3 lines but --reference {ref} has 2 lines"
        )
    if problem == "missing hypothesis file":
        return ["--hypothesis", str(hyp), "--reference", ref], (
            f"--hypothesis {hyp} cannot be read: No such file or directory."
        )
    if problem == "missing reference file":
        _lines(hyp, ["A cat."])
        return ["--hypothesis", str(hyp), "--reference", str(tmp_path / "nope")], (
            f"--reference {tmp_path / 'nope'} cannot be read: No such file or directory."
        )
    if problem == "reference not UTF-8":
        _lines(hyp, ["A cat.", "A dog."])
        bad = tmp_path / "latin1.en"
        bad.write_bytes("Café.\nA dog.\n".encode("latin-1"))
        return ["--hypothesis", str(hyp), "--reference", str(bad)], (
            f"--reference {bad} is not UTF-8 text (byte 0xe9 at offset 3)."
        )
    if problem == "empty hypothesis file":
        hyp.write_text("")
        return ["--hypothesis", str(hyp), "--reference", ref], (
            f"--hypothesis {hyp} is empty: nothing to score."
        )
    if problem == "source and reference differ":  # caught before anything is translated
        src = _lines(tmp_path / "src.ro", ["O pisică."])
        return ["--source", src, "--reference", ref, "--model", "/nonexistent"], (
            f"--source {src} has 1 line but --reference {ref} has 2 lines"
        )
    if problem == "a --compare key that is no setting":
        src = _lines(tmp_path / "src.ro", ["O pisică.", "Un câine."])
        return ["--source", src, "--reference", ref, "--compare", "beam=4", "backend=torch"], (
            "--compare beam=4: no setting named beam."
        )
    raise AssertionError(problem)


@pytest.mark.parametrize(
    "problem",
    [
        "more hypotheses than references",
        "missing hypothesis file",
        "missing reference file",
        "reference not UTF-8",
        "empty hypothesis file",
        "source and reference differ",
        "a --compare key that is no setting",
    ],
)
def test_eval_input_problems_are_one_line_naming_the_files(tmp_path, capsys, problem):
    args, expected = _eval_inputs(tmp_path, problem)
    assert main(["eval", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("roen: "), err
    assert expected in err
