"""Language detection: Romanian kept, other languages caught, nothing a text can break."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.pipeline.language import LanguageDetector

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector()


def test_romanian_sentences_are_romanian(detector):
    lines = (DATA / "corpus.ro.txt").read_text(encoding="utf-8").splitlines()
    said = [d[0].language if (d := detector.detect(x)) else None for x in lines]
    assert said.count("ro") >= 0.95 * len(lines)
    assert sum(detector.not_romanian(x) for x in lines) <= 1  # false alarms: at most one


def test_other_languages_are_caught(detector):
    pairs = [x.split("\t", 1) for x in (DATA / "not_romanian.txt").read_text().splitlines()]
    right = sum(1 for lang, text in pairs if detector.detect(text)[0].language == lang)
    warned = sum(detector.not_romanian(text) for _, text in pairs)
    assert right >= 0.9 * len(pairs) and warned >= 0.9 * len(pairs)


@pytest.mark.parametrize("text", ["Bună ziua", "Și eu.", "Mulțumesc frumos!", "Ce mai faci?"])
def test_short_romanian_with_its_tell_tales(detector, text):
    assert detector.detect(text)[0].language == "ro"
    assert not detector.not_romanian(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_detects_without_error(detector, text):
    found = detector.detect(text)
    assert all(0 <= d.confidence <= 1 for d in found) and len(found) <= 3
    detector.not_romanian(text)
