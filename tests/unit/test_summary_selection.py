"""Extractive selection: a sentence that leans on the one before it ("But …", "He …") is not
lifted out alone. The embedder is a fake with hand-set vectors, so no model is loaded."""

from __future__ import annotations

import numpy as np
import pytest

from service.summarize.anaphora import opens_anaphorically
from service.summarize.extractive import MIN_WORDS, ExtractiveSummarizer


@pytest.mark.parametrize(
    "sentence",
    [
        "But diligently, she took her boss's word for it.",
        "Muhammad recalled blacking out after that, and the next thing he knew he was in hospital.",
        "He's expected to appeal.",
        "However, 121 bank accounts are still being investigated.",
        "They were strapped with explosives.",
        "His mother caressed his head.",
        "Their analysis predicts a 50 percent increase.",
        "It also included the payment of bribes.",
        "This is a lot of pressure.",
        "This time, the vote went his way.",
        "These changes all point the same way.",
        "That's why the remix work has been a gift.",
        "Those figures amounted to 12 refugees a day.",
        "After that, the talks collapsed.",
        "Also set to air soon are Jessica Jones and Iron Fist.",
        "Meanwhile, prices kept rising.",
        "Instead, the court adjourned.",
        "So the plan failed.",
        "Yet it was directing that got him into the guild.",
        "Moreover, the deal was never signed.",
        "And then we heard heavy gunfire outside.",
        "Still, the bank raised its forecast.",
        "At the same time seven gunmen were entering the school.",
        "On the other hand, Facebook is a company.",
        "The latter wants the measure revoked.",
        '"It was a missed opportunity," she said.',
    ],
)
def test_leaning_openers_are_detected(sentence):
    assert opens_anaphorically(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Hebrew is taught in three schools.",
        "Theresa May said the plan was fair.",
        "Butter prices rose by a tenth.",
        "Hershey cut its forecast.",
        "Thessaloniki hosted the summit.",
        "Italy and Spain voted against.",
        "IT spending fell last year.",  # an acronym, not the pronoun
        "US troops left the base.",
        "So far, 20 people have been arrested.",
        "This year, the harvest was poor.",
        "These days prices rise every month.",
        "The former president of Finland spoke first.",  # "former" is an adjective here
        "The federal prosecutor's office said Dirceu will face trial.",
        "A federal judge accepted the charges on Tuesday.",
        "I can't forget what happened that day.",
        "",
        "2015",
    ],
)
def test_self_contained_sentences_are_not_flagged(sentence):
    assert not opens_anaphorically(sentence)


class TableEmbedder:
    """An embedder whose vectors are looked up by sentence, normalised as the real one's are."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def embed(self, sentences: list[str]) -> np.ndarray:
        rows = np.array([self.table[s] for s in sentences])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


COUNCIL = "The city council met on Monday to debate the budget."
RAIN = "Rain is expected across the region later this week."
PLAN = "The mayor's office published its own spending plan on Friday."
VETO = "But the mayor vetoed the budget and the cuts it contained."  # the most central line
SHOPS = "Local shops said trade had been quiet all summer long."
ARTICLE = {
    COUNCIL: [1.0, 0.0, 0.0, 0.0],
    RAIN: [0.0, 0.0, 0.0, 1.0],
    PLAN: [0.3, 1.0, 0.0, 0.0],
    VETO: [1.0, 1.0, 0.6, 0.2],
    SHOPS: [0.2, 0.3, 1.0, 0.2],
}


def summarize(table, k, **kw):
    return ExtractiveSummarizer(TableEmbedder(table), **kw).summarize(list(table), max_sentences=k)


def test_the_fake_article_would_lift_the_leaning_sentence_out_alone():
    """The control for the tests below: ranked on relevance alone, VETO wins without PLAN."""
    for k in (1, 2, 3):
        picked = summarize(ARTICLE, k, leans_back=lambda s: False).sentences
        assert VETO in picked and PLAN not in picked


def test_a_leaning_sentence_loses_to_a_self_contained_one_when_it_cannot_bring_its_antecedent():
    assert summarize(ARTICLE, 1).sentences == [COUNCIL]


@pytest.mark.parametrize(("k", "expected"), [(2, [PLAN, VETO]), (3, [COUNCIL, PLAN, VETO])])
def test_a_leaning_sentence_brings_its_antecedent_when_there_is_room(k, expected):
    # With k=3 the pair is picked first and COUNCIL last: the summary is still in article order.
    assert summarize(ARTICLE, k).sentences == expected


def test_a_leaning_first_sentence_is_not_penalised():
    first = "It was the coldest September night on record in the city."
    table = {first: [1.0, 1.0], COUNCIL: [1.0, 0.0], RAIN: [0.0, 1.0]}  # first is central
    assert summarize(table, 1).sentences == [first]


def test_short_lines_are_picked_only_when_nothing_else_is_left():
    short = "Budget vetoed, says mayor."
    assert len(short.split()) < MIN_WORDS
    table = {
        COUNCIL: [1.0, 0.0, 0.0],
        short: [1.0, 1.0, 1.0],
        RAIN: [0.0, 0.0, 1.0],
        SHOPS: [0.0, 1.0, 0.0],
    }
    picked = summarize(table, 3).sentences
    assert short not in picked and picked == [COUNCIL, RAIN, SHOPS]


def test_a_summary_is_full_length_even_when_most_sentences_lean_back():
    table = {
        COUNCIL: [1.0, 0.0, 0.0],
        "He said the budget was too generous by far.": [0.9, 0.4, 0.0],
        "They said the cuts would hurt schools most.": [0.7, 0.7, 0.0],
        "But nobody voted against the plan in the end.": [0.5, 0.5, 0.5],
        "It passed unanimously shortly before midnight.": [0.0, 0.4, 0.9],
    }
    picked = summarize(table, 4).sentences
    assert len(picked) == len(set(picked)) == 4  # leaning ones too, once nothing else is left
