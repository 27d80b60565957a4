"""Abstractive summaries on a tiny BART: long input is chunked and re-summarised, never cut."""

import pytest
from litestar.testing import TestClient

from service.settings import Settings
from service.summarize.abstractive import AbstractiveSummarizer, chunk_sentences
from service.summarize.factory import build_summarizer

CORPUS = [
    "The government announced a new package of economic measures today.",
    "More than 15,000 people took part in Sunday's protest.",
    "Heavy rains caused floods in the counties of Moldova.",
    "The national football team won the match 2-1.",
    "Students asked for larger grants and renovated dormitories.",
    "The company announced it will hire 500 workers at the new factory.",
]


def test_chunks_are_consecutive_and_fit():
    counts = [30, 30, 10, 50, 5, 5, 70]
    chunks = chunk_sentences(counts, 60)
    assert [i for c in chunks for i in c] == list(range(len(counts)))
    for c in chunks:
        assert len(c) == 1 or sum(counts[i] for i in c) <= 60


@pytest.fixture(scope="module")
def summarizer(tiny_bart):
    s, info = build_summarizer(
        Settings(_env_file=None, summary_method="abstractive", summary_model=str(tiny_bart))
    )
    assert info.loaded
    return s


class Reading:
    """The tiny BART, given to a summariser through its constructor, recording what each
    generate() call reads: its texts (those of the encode() just before it) and their rows."""

    def __init__(self, model) -> None:
        self.model = model
        self.max_input_tokens = model.max_input_tokens
        self.checkpoint_max_length = model.checkpoint_max_length
        self.default_beam_size = model.default_beam_size
        self.reads: list[tuple[list[str], list]] = []
        self.encoded: tuple[list[str], list] = ([], [])

    def encode(self, texts: list[str]) -> list:
        rows = self.model.encode(texts)
        self.encoded = (list(texts), rows)
        return rows

    def generate(self, rows: list, decoding) -> list[str]:
        texts, encoded = self.encoded
        assert rows is encoded  # the texts just encoded, and only those
        self.reads.append((texts, rows))
        return self.model.generate(rows, decoding)


@pytest.mark.model
def test_long_input_is_chunked_and_every_sentence_read(summarizer):
    sentences = CORPUS * 8  # several windows' worth
    model = Reading(summarizer.model)
    result = AbstractiveSummarizer(model).summarize(sentences, max_sentences=3)
    seen = [texts for texts, _ in model.reads]
    assert all(len(row) <= summarizer.window for _, rows in model.reads for row in rows)
    assert result.method == "abstractive"
    assert 1 <= len(result.sentences) <= 3
    first_round = " ".join(seen[0])
    assert first_round == " ".join(sentences)  # every sentence went to the model, in order
    assert len(seen[0]) > 1 and len(seen[-1]) == 1  # chunked, then one final pass


@pytest.mark.model
def test_single_sentence_longer_than_window_is_split(summarizer):
    giant = " ".join(["the government announced new measures"] * 60)
    assert len(summarizer.model.encode([giant])[0]) > summarizer.window
    assert summarizer.summarize([giant], max_sentences=2).sentences


@pytest.mark.model
def test_abstractive_through_the_api(tiny_marian, tiny_bart):
    from service.http.app import create_app

    settings = Settings(
        _env_file=None,
        translation_model=str(tiny_marian),
        summary_method="abstractive",
        summary_model=str(tiny_bart),
        beam_size=1,
    )
    with TestClient(create_app(settings)) as c:
        import time

        for _ in range(200):
            if c.get("/health/ready").status_code == 200:
                break
            time.sleep(0.2)
        body = c.post("/v1/summarize", json={"text": " ".join(CORPUS)}).json()
        assert body["method"] == "abstractive" and body["sentences"]
        models = {m["role"]: m for m in c.get("/v1/models").json()["models"]}
        assert models["summary"]["name"] == str(tiny_bart) and models["summary"]["size_bytes"] > 0
