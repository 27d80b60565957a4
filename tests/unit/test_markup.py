"""Markup as tags and text runs: nothing mangled, nothing lost, linear in the input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text.markup import escape, runs
from tests.support.html import SOUP
from tests.support.timing import best_seconds


def translated(markup: str) -> list[str]:
    return [r.text for r in runs(markup) if r.text is not None]


@pytest.mark.parametrize(
    ("markup", "texts"),
    [
        ('<a title="x>y" href="/a?b=1&amp;c">Bună</a>', ["Bună"]),  # ">" inside an attribute
        ("<script>if(a<b){}</script><p>Bună</p>", ["Bună"]),  # script content is not markup
        ('<p translate="no">a<p>b</p> c', [" c"]),  # <p> closes a <p>: not nested
        ('<p translate="no">a<p translate="no">b</p> c', [" c"]),  # not nested either
        ("<SCRIPT>x</Script ><p>Bună</p>", ["Bună"]),  # tag names in any case
        ("<style></style>Bună", ["Bună"]),  # an empty raw-text element leaves no run
        ('<p>x <span translate="no">:e:</span> y</p>', ["x ", " y"]),  # Mastodon's emoji
        ('<div class="a notranslate b">nu</div>da', ["da"]),
        ("a < b and <!-- c --> d <![CDATA[x]]> e", ["a < b and ", " d ", " e"]),
        ("<pre><b>cod</b></pre><code>x</code><i>da</i>", ["da"]),
        ("&lt;b&gt; rămâne &amp; text", ["<b> rămâne & text"]),  # unescaped for the model only
        ("<!-- a --> Bună <!-- c --> ziua", [" Bună ", " ziua"]),  # each comment ends at its own
        ("a <<b>x</b>", ["a <", "x"]),  # a "<" that starts no tag, then one that does
        ("<code/>Bună", ["Bună"]),  # self-closing: nothing inside it to skip
        ("a<br>b<i>c</i>", ["a", "b", "c"]),  # a void element, then more tags
        ("<code><code>x</code>y</code>z", ["z"]),  # nested in a skipped element: still skipped
        ("<b>x</b>" + "y" * 2_000 + "<i>z</i>", ["x", "y" * 2_000, "z"]),  # tags far apart
        # a tag longer than MAX_TAG is text (bounded work per "<"), its text translated
        ('<a title=">' + "x" * 1_100 + '">t</a>', ['<a title=">' + "x" * 1_100 + '">t']),
    ],
)
def test_runs(markup, texts):
    assert translated(markup) == texts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=40).map("".join))
def test_concatenating_the_runs_gives_the_input_back(markup):
    assert "".join(r.raw for r in runs(markup)) == markup


@pytest.mark.parametrize(
    "unit", ["<!--", "<a", '<a title="', "<", "<script>", '<a "' * 333 + ">", "x<b>y</b> "]
)
def test_splitting_is_linear(unit):
    def seconds(n: int) -> float:
        text = unit * (n // len(unit))
        return best_seconds(lambda: runs(text), repeat=5)

    # 4× the input: ~4× the time if linear, 16× if quadratic. The bound sits between, with
    # room for a busy machine (CI once measured 6.6× on a linear run).
    small, large = seconds(25_000), seconds(100_000)
    assert large < max(10 * small, 0.1) and large < 1.0, (small, large)


def test_translated_text_goes_back_with_only_what_markup_needs_escaped():
    """Quotes stay quotes in text (only an attribute would need them escaped); & < > are
    escaped so that a translation can never open a tag."""
    assert escape('El a spus "da" & <b> l\'a semnat') == (
        'El a spus "da" &amp; &lt;b&gt; l\'a semnat'
    )


def test_no_run_is_empty():
    """Adjacent tags give no empty text run between them (nothing for the model to see)."""
    pieces = runs("<p><b></b><i>x</i></p><br/><!--c--><p></p>")
    assert all(r.raw for r in pieces) and len(pieces) == 11  # ten tags and comments, one "x"
    raw_text = runs("<style></style><script>s</script>")  # empty content gives no run either
    assert [r.raw for r in raw_text] == ["<style>", "</style>", "<script>", "s", "</script>"]
