"""HTML translated as sentences with its inline tags put back: checked word by word with a
fake that marks every word (`casă` → `casă-en`) and, reversed, moves every word."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from service.pipeline.html import TagCounts
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import TranslateOptions, TranslationResult
from service.text.html_blocks import Block, blocks
from tests.support.fakes import WordMark, fake_engines
from tests.support.html import SOUP, assert_kept
from tests.support.timing import best_seconds

PAGES = Path(__file__).parent.parent / "data" / "html"
HTML = TranslateOptions(markup="html")


def translate(html: str, *, reverse: bool = False, counts: TagCounts | None = None, **options):
    pipeline = Pipeline(fake_engines(backend=WordMark(reverse=reverse)))
    options = TranslateOptions(markup="html", **options)
    return asyncio.run(pipeline.translate([html], options, counts))[0]


# --- blocks ------------------------------------------------------------------------------
def test_blocks_end_at_block_elements_and_br_and_keep_inline_tags_inside():
    items = blocks('<div><p>O <a href="/x">casă <i>roșie</i></a>.<br>Alt rând</p><p>a</p></div>')
    found = [i for i in items if isinstance(i, Block)]
    assert [b.text for b in found] == ["O casă roșie.", "Alt rând", "a"]
    assert [b.path for b in found] == ["div[1]/p[1]", "div[1]/p[1]", "div[1]/p[2]"]
    a, i = found[0].spans
    assert found[0].text[a.start : a.end] == "casă roșie" and a.parent is None
    assert found[0].text[i.start : i.end] == "roșie" and i.parent == 0
    assert "".join(x.raw for x in items) == (
        '<div><p>O <a href="/x">casă <i>roșie</i></a>.<br>Alt rând</p><p>a</p></div>'
    )


def test_block_text_collapses_spaces_but_its_edges_go_back_as_they_were():
    (block,) = [
        i for i in blocks("<p>\n   Un  <b> cuvânt </b>\n\tbun.  </p>") if isinstance(i, Block)
    ]
    assert block.text == "Un cuvânt bun." and block.lead == "\n   " and block.trail == "  "
    (span,) = block.spans
    assert block.text[span.start : span.end] == "cuvânt"  # the spaces inside the tag trimmed


def test_paths_count_same_named_siblings_and_close_what_html_closes():
    items = blocks("<ul><li>a<li>b</ul><section><p>x</p></section><section><p>y<p>z</section>")
    assert [i.path for i in items if isinstance(i, Block)] == [
        "ul[1]/li[1]",
        "ul[1]/li[2]",
        "section[1]/p[1]",
        "section[2]/p[1]",
        "section[2]/p[2]",
    ]


@pytest.mark.parametrize("markup", ["<p>a <b>b</p>", "<p>a </b> b</p>", "<p>a <b><i>b</b></i></p>"])
def test_a_block_whose_inline_tags_do_not_pair_up_is_marked(markup):
    (block,) = [i for i in blocks(markup) if isinstance(i, Block)]
    assert not block.paired


# --- placement, word by word -------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "forward", "reversed_"),
    [
        (
            "<p>O <b>casă roșie</b> mare.</p>",
            "<p>O-en <b>casă-en roșie-en</b> mare-en.</p>",
            "<p>mare-en <b>roșie-en casă-en</b> O-en.</p>",
        ),
        (  # nested, and a link whose words move: the href goes with them
            '<p>Vezi <a href="/a?x=1&amp;y=2">noul <em>proiect</em></a> azi.</p>',
            '<p>Vezi-en <a href="/a?x=1&amp;y=2">noul-en <em>proiect-en</em></a> azi-en.</p>',
            '<p>azi-en <a href="/a?x=1&amp;y=2"><em>proiect-en</em> noul-en</a> Vezi-en.</p>',
        ),
        (  # a tag around a whole sentence keeps its final stop outside, as it was
            "<p><strong>Totul e bine</strong>. Apoi nu.</p>",
            "<p><strong>Totul-en e-en bine-en</strong>. Apoi-en nu-en.</p>",
            "<p><strong>bine-en e-en Totul-en</strong>. nu-en Apoi-en.</p>",
        ),
        (  # one tag across two whole sentences
            "<p><i>Unu doi. Trei patru.</i> Cinci.</p>",
            "<p><i>Unu-en doi-en. Trei-en patru-en.</i> Cinci-en.</p>",
            "<p><i>doi-en Unu-en. patru-en Trei-en.</i> Cinci-en.</p>",
        ),
        (  # an empty element at a sentence's start stays there
            '<h2><a name="r" href="#r"></a>Rezumat scurt</h2>',
            '<h2><a name="r" href="#r"></a>Rezumat-en scurt-en</h2>',
            '<h2><a name="r" href="#r"></a>scurt-en Rezumat-en</h2>',
        ),
        (  # text that arrived escaped leaves escaped
            "<p>Textul &lt;b&gt; <b>liber</b> &amp; clar.</p>",
            "<p>Textul-en &lt;b-en&gt; <b>liber-en</b> &amp; clar-en.</p>",
            "<p>clar-en &lt;<b>liber-en</b>&gt; b-en &amp; Textul-en.</p>",  # (slots stay)
        ),
    ],
)
def test_inline_tags_come_back_around_the_words_that_translate_theirs(source, forward, reversed_):
    for reverse, expected in ((False, forward), (True, reversed_)):
        counts = TagCounts()
        result = translate(source, reverse=reverse, counts=counts)
        assert result.translation == expected
        assert counts.confident == counts.tags and counts.by_run == 0
        assert not any(
            w in ("tag_position", "tags_by_run") for s in result.segments for w in s.warnings
        )


def test_a_tag_that_cannot_be_placed_gives_its_block_run_by_run_with_a_warning():
    """An element across a sentence end, but not along whole sentences, has no place in
    the sentences' translations: the block is translated between its tags instead — every
    tag and word still there."""
    counts = TagCounts()
    result = translate("<p>Unu <b>doi. Trei</b> patru.</p>", counts=counts)
    assert result.translation == "<p>Unu-en <b>doi-en. Trei-en</b> patru-en.</p>"
    assert all("tags_by_run" in s.warnings for s in result.segments)
    assert {s.path for s in result.segments} == {"p[1]"}
    assert (counts.tags, counts.confident, counts.by_run) == (1, 0, 1)


def test_a_tag_placed_by_likeness_says_so():
    counts = TagCounts()
    result = translate(
        "<p>Scris de <time>26 noiembrie 2026</time> aici.</p>", reverse=True, counts=counts
    )
    assert "<time>" in result.translation and "</time>" in result.translation
    assert counts.confident == 0 and counts.by_run == 0
    assert "tag_position" in result.segments[0].warnings


def test_unpaired_inline_tags_stay_exactly_where_they_were():
    result = translate("<p>Un <b>text deschis</p><p>Altul.</p>")
    assert result.translation == "<p>Un-en <b>text-en deschis-en</p><p>Altul-en.</p>"


def test_never_translated_content_is_byte_for_byte():
    source = (
        "<p>Rulați <code>pip install roen</code> acum.</p><pre>a &lt; b</pre>"
        '<p translate="no">Nu se traduce</p><p class="x notranslate">Nici asta</p>'
        "<script>if (a<b) {}</script><style>p>b{}</style><textarea>text</textarea>"
    )
    out = translate(source).translation
    for kept in (
        "<code>pip install roen</code>",
        "<pre>a &lt; b</pre>",
        '<p translate="no">Nu se traduce</p>',
        '<p class="x notranslate">Nici asta</p>',
        "<script>if (a<b) {}</script><style>p>b{}</style><textarea>text</textarea>",
    ):
        assert kept in out
    assert "Rulați-en" in out and "acum-en." in out


def test_deepl_ignore_tags_are_not_translated():
    out = translate("<p>Da <x>nu aici</x> da.</p>", ignore_tags=frozenset({"x"})).translation
    assert out == "<p>Da-en <x>nu aici</x> da-en.</p>"


# --- the test pages ----------------------------------------------------------------------
@pytest.mark.parametrize("page", ["article.html", "mastodon.html", "discourse.html"])
def test_real_world_pages_keep_every_tag_and_translate_every_word(page):
    source = (PAGES / page).read_text()
    for reverse in (False, True):
        counts = TagCounts()
        out = translate(source, reverse=reverse, counts=counts).translation
        assert_kept(source, out)
        if not reverse:  # word for word in order: every tag is found
            assert counts.confident == counts.tags > 0


def test_segments_carry_their_html_path():
    result = translate((PAGES / "article.html").read_text())
    paths = {s.source: s.path for s in result.segments}
    assert paths["Guvernul a aprobat bugetul pe 2026"] == "html[1]/body[1]/main[1]/article[1]/h1[1]"
    assert paths["Inflația a scăzut în octombrie"].endswith("article[1]/ul[1]/li[1]")


# --- properties --------------------------------------------------------------------------
WORDS = ["casă", "roșie", "Ana", "și", "2026", "&amp;", "&lt;b&gt;", "@ana", "#tag", "6,4%", "„da”"]
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
end = st.sampled_from(["", ".", "!", ". ", "? "])
INLINE_TAGS = [
    ("<b>", "</b>"),
    ('<a href="/x?a=1&amp;b=2" title="Titlu">', "</a>"),
    ('<em class="c">', "</em>"),
    ("<span>", "</span>"),
    ("<q>", "</q>"),
]
BLOCK_TAGS = [("<p>", "</p>"), ('<div id="d">', "</div>"), ("<li>", "</li>"), ("<h2>", "</h2>")]
NEVER = ["<code>x &lt; y</code>", '<span translate="no">:e:</span>', "<script>a<b</script>"]


def _wrap(pairs):
    return lambda children: st.tuples(
        st.sampled_from(pairs), st.lists(children, min_size=0, max_size=4)
    ).map(lambda t: t[0][0] + "".join(t[1]) + t[0][1])


fragment = st.recursive(
    st.one_of(
        st.tuples(text, end).map("".join),
        st.sampled_from(["<br>", '<img src="i.png" alt="poză">', " ", "\n", *NEVER]),
    ),
    lambda children: _wrap(INLINE_TAGS)(children) | _wrap(BLOCK_TAGS)(children),
    max_leaves=16,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragment, min_size=1, max_size=4).map("".join), st.booleans())
def test_any_well_formed_html_keeps_its_structure_and_every_word(source, reverse):
    assume(source.strip())  # (all blank is refused: tested with the limits)
    assert_kept(source, translate(source, reverse=reverse).translation)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*SOUP, "<a href='x'>", "</a>", "<code>", "</code>", "roșie. "]),
        min_size=1,
        max_size=30,
    ).map("".join)
)
def test_any_html_soup_keeps_every_tag_and_word(source):
    assert_kept(source, translate(source, reverse=True).translation)


def test_results_report_the_source_and_each_segment():
    result = translate("<p>Unu.</p><p>Doi.</p>")
    assert isinstance(result, TranslationResult)
    assert result.source == "<p>Unu.</p><p>Doi.</p>"
    assert [(s.source, s.path) for s in result.segments] == [("Unu.", "p[1]"), ("Doi.", "p[2]")]


# --- over HTTP ---------------------------------------------------------------------------
@pytest.fixture
def marking_client(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        yield c


def test_v1_translate_takes_html_and_reports_each_segments_path(marking_client):
    body = {
        "text": "<h1>Titlu</h1><p>O <b>casă</b> mare.</p>",
        "format": "html",
        "include_segments": True,
    }
    r = marking_client.post("/v1/translate", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["translation"] == "<h1>Titlu-en</h1><p>O-en <b>casă-en</b> mare-en.</p>"
    assert [(s["source"], s["path"]) for s in out["segments"]] == [
        ("Titlu", "h1[1]"),
        ("O casă mare.", "p[1]"),
    ]
    plain = marking_client.post(
        "/v1/translate", json={"text": "<b>x</b>", "include_segments": True}
    )
    assert "path" not in plain.json()["segments"][0]  # text is text: its tags are words
    assert plain.json()["translation"] == "<b-en>x-en</b-en>"


def test_html_streams_on_the_same_path_as_text(marking_client):
    """Markup streams too (one path for every input kind): translated whole before the
    stream begins (so every refusal is still a problem response), then its segments, each
    with its block's path, then `done` with the body the JSON route gives."""
    body = {
        "text": "<p>Da. <b>Nu</b>.</p><p>Poate.</p>",
        "format": "html",
        "include_segments": True,
    }
    r = marking_client.post("/v1/translate", json=body, headers={"accept": "application/x-ndjson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in r.text.splitlines()]
    assert events[0] == {"type": "start", "segments": 3, "model": "echo"}
    segments = [e for e in events if e["type"] == "segment"]
    assert [s["path"] for s in segments] == ["p[1]", "p[1]", "p[2]"]
    assert [s["index"] for s in segments] == [0, 1, 2] and {s["total"] for s in segments} == {3}
    plain = marking_client.post("/v1/translate", json=body).json()
    done = events[-1]
    assert done["type"] == "done" and done["translation"] == plain["translation"]
    assert (
        done["segments"]
        == plain["segments"]
        == [{k: v for k, v in s.items() if k not in ("type", "index", "total")} for s in segments]
    )


@pytest.mark.parametrize("page", ["mastodon.html", "discourse.html"])
def test_what_mastodon_and_discourse_send_comes_back_whole(marking_client, page):
    """Both send a post's HTML to LibreTranslate's /translate with format=html (Mastodon as
    JSON with q a list, Discourse as a form) and show translatedText as HTML."""
    source = (PAGES / page).read_text()
    if page == "mastodon.html":
        r = marking_client.post(
            "/translate",
            json={
                "q": [source],
                "source": "auto",
                "target": "en",
                "format": "html",
                "api_key": None,
            },
        )
        out = r.json()["translatedText"][0]
    else:
        r = marking_client.post(
            "/translate", data={"q": source, "source": "ro", "target": "en", "format": "html"}
        )
        out = r.json()["translatedText"]
    assert r.status_code == 200, r.text
    assert_kept(source, out)


def test_deepl_tag_handling_places_inline_tags_too(marking_client):
    r = marking_client.post(
        "/v2/translate",
        json={
            "text": ["<p>O <b>casă</b> mare.</p>"],
            "target_lang": "EN-GB",
            "tag_handling": "html",
        },
        headers={"Authorization": "DeepL-Auth-Key k"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["translations"][0]["text"] == "<p>O-en <b>casă-en</b> mare-en.</p>"


MARKUP_BITS = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<a href='&amp;'>",
    "</a>",
    "<br/>",
    "<!--",
    "-->",
    "&#0;",
    "&#x1F600;",
    "&#12;",
    "&bogus;",
    "<script>",
    "</scr",
    "<",
    ">",
    "\x00",
    "\ud800",
    "casă. ",
    " ",
]


# One client for every example: nothing a request leaves behind changes the next one's answer.
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(MARKUP_BITS) | st.text(max_size=5), min_size=1, max_size=25).map(
        "".join
    )
)
def test_no_html_a_client_sends_gives_a_server_error(marking_client, source):
    for path, body in (
        ("/v1/translate", {"text": source, "format": "html"}),
        ("/translate", {"q": source, "source": "ro", "target": "en", "format": "html"}),
    ):
        # ASCII JSON: a lone surrogate travels as its escape, as any client may send it.
        r = marking_client.post(
            path, content=json.dumps(body), headers={"content-type": "application/json"}
        )
        assert r.status_code in (200, 400, 413, 422), (path, r.status_code, r.text)
        if r.status_code == 200 and path == "/v1/translate":
            assert_kept(source, r.json()["translation"])


def test_readable_attributes_are_translated_only_when_asked():
    source = (
        '<p title="Un titlu">Text <img src="/a.png" alt=\'Poza mea\' data-alt="nu"> '
        '<input placeholder=Caută aria-label="Caută &amp; găsește"></p>'
        '<code title="nu aici">x</code>'
    )
    kept = translate(source).translation
    assert 'title="Un titlu"' in kept and "alt='Poza mea'" in kept and "placeholder=Caută" in kept
    out = translate(source, attributes=True).translation
    assert out == (
        '<p title="Un-en titlu-en">Text-en <img src="/a.png" alt=\'Poza-en mea-en\' data-alt="nu"> '
        '<input placeholder="Caută-en" aria-label="Caută-en &amp; găsește-en"></p>'
        '<code title="nu aici">x</code>'
    )


def test_a_translated_attribute_cannot_break_out_of_its_quotes():
    out = translate("<img alt='Zis \"așa\" <b>'>", attributes=True).translation
    assert out == "<img alt='Zis-en &quot;așa-en&quot; &lt;b-en&gt;'>"


# --- hostile markup: bounded work, no 500 -----------------------------------------------
def test_inline_elements_nested_past_any_real_text_go_run_by_run():
    source = "<p>" + "<b>" * 1000 + "Salut lume." + "</b>" * 1000 + "</p>"
    out = translate(source).translation
    assert out == "<p>" + "<b>" * 1000 + "Salut-en lume-en." + "</b>" * 1000 + "</p>"


def test_deep_block_nesting_costs_linear_memory_and_time():
    """Each block's path names its innermost levels only: 8,000 nested divs, 8,000 paths."""
    items = [i for i in blocks("<div>x" * 8000) if isinstance(i, Block)]
    assert items[-1].path.startswith("…/") and items[-1].path.count("/") == 12

    def seconds(n: int) -> float:
        return best_seconds(lambda: blocks("<div>" * n + "x" + "</div>" * n), repeat=3)

    small, large = seconds(2_000), seconds(8_000)
    assert large < max(10 * small, 0.1), (small, large)


def test_many_nested_elements_do_not_multiply_what_is_translated():
    """An element's own text is translated to find it, within twice the block's text."""
    backend = WordMark()
    pipeline = Pipeline(fake_engines(backend=backend))
    source = "<p>" + "".join(f"<b>cuv{i} " for i in range(300)) + "</b>" * 300 + "</p>"
    asyncio.run(pipeline.translate([source], HTML))
    sent = sum(len(t) for batch in backend.batches for t in batch)
    block = next(i for i in blocks(source) if isinstance(i, Block))
    assert sent <= 3 * len(block.text) + 100


MENTION = (
    '<span class="h-card" translate="no"><a href="https://social.example/@ana" '
    'class="u-url mention">@<span>ana</span></a></span>'
)


def test_a_never_translated_element_inside_a_sentence_stays_in_it_byte_for_byte():
    """Mastodon's mentions are translate="no" inside a sentence: the model reads the whole
    sentence, and the mention comes back as it was, where the model put its words."""
    source = f"<p>Salut {MENTION} ce faci?</p>"
    for reverse, expected in (
        (False, f"<p>Salut-en {MENTION} ce-en faci-en?</p>"),
        (True, f"<p>faci-en {MENTION} ce-en Salut-en?</p>"),  # (the fake keeps @ana's slot)
    ):
        counts = TagCounts()
        result = translate(source, reverse=reverse, counts=counts)
        assert result.translation == expected
        assert [s.source for s in result.segments] == ["Salut @ana ce faci?"]
        assert counts.tags == counts.confident == 1


def test_a_never_translated_element_the_model_changed_sends_its_block_run_by_run():
    result = translate('<p>Da <span translate="no">nu traduce</span> acum.</p>')
    assert result.translation == '<p>Da-en <span translate="no">nu traduce</span> acum-en.</p>'
    assert all("tags_by_run" in s.warnings for s in result.segments)


@pytest.mark.parametrize(
    "source",
    [
        '<p><span translate="no">:wave:</span>.</p>',  # holds part of the sentence's stop
        '<p><span translate="no">@ana!</span>!</p>',
        '<p>Hi <span translate="no">@ana :)</span> there</p>',  # a mark apart from its word
        "<div>Hi <span translate=no>@a</div></span><div>Next</div>",  # a block's end inside
    ],
)
def test_a_never_translated_element_comes_back_once_with_nothing_doubled(source):
    for reverse in (False, True):
        out = translate(source, reverse=reverse).translation
        assert_kept(source, out)
        kept = re.sub(r"[^\W\d_]+-en", "", out)  # what is not a translated word
        assert Counter(re.findall(r"[^\w\s]", kept)) == Counter(
            re.findall(r"[^\w\s]", re.sub(r"[^\W\d_]+", "", source))
        )
