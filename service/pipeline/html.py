"""HTML in, HTML out: blocks translated as sentences, inline tags put back around the words
that translate them, everything else byte for byte.

    parse (blocks, inline spans) → one translation call: every block's text and every
    inline element's own text → place the tags (service/text/tag_placement.py)
    → [a block whose tags could not all be placed: a second call, its text runs one by one]
    → each document rebuilt; segments carry their block's HTML path

Segment warnings added here: `tag_position` (a tag was placed by likeness or relative
position, not by finding its words) and `tags_by_run` (the block was translated run by run
between its tags, so its sentences were cut where the tags are).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from service.documents.types import OffLoop
from service.pipeline.limits import check_characters
from service.pipeline.types import Segment, TranslationResult
from service.text.html_blocks import Block, Item, blocks
from service.text.layout import layout
from service.text.markup import Run, escape, readable_attributes, with_attributes
from service.text.tag_placement import Placement, Sentence, place

# An element's own text is translated too (to find it in its sentence), up to this many
# times the block's text in all: nesting cannot multiply the work a request asks for.
OWN_TEXT_BUDGET = 2
# A block with more inline elements than this is translated run by run.
MAX_SPANS = 100
# a block's sentences (plain text) → their results: the plain-text path, limits held
TranslateSentences = Callable[[list[str]], Awaitable[list[TranslationResult]]]


@dataclass(slots=True)
class TagCounts:
    """How a call's inline tags were placed (for the note's figures and for tests)."""

    tags: int = 0
    confident: int = 0
    by_run: int = 0  # tags in blocks translated run by run


@dataclass(slots=True)
class _Done:
    html: str
    segments: list[Segment]
    warnings: set[str]


def parse(texts: list[str], ignore: frozenset[str]) -> list[list[Item]]:
    docs = [blocks(t, ignore) for t in texts]
    for doc in docs:  # an entity (&#12;) can unescape to what the text may not hold
        for item in doc:
            if isinstance(item, Block):  # what the model will read, never-translated too
                for text in _run_texts(item):
                    check_characters(text)
                for span in item.spans if item.paired else []:
                    if span.opaque:
                        check_characters(item.text[span.start : span.end])
    return docs


def first_parts(docs: list[list[Item]]) -> list[str]:
    """What the first call translates: each block's text (or, for a block whose tags do not
    pair up, its runs), and the own text of each inline element."""
    parts: dict[str, None] = {}
    for block in _blocks(docs):
        if not block.paired:
            parts.update(dict.fromkeys(_run_texts(block)))
            continue
        parts[block.text] = None
        budget = OWN_TEXT_BUDGET * len(block.text)
        for span in block.spans:
            if span.opaque:
                continue  # never translated: looked for as it is
            own = block.text[span.start : span.end]
            if own and own != block.text and any(ch.isalpha() for ch in own):
                if len(own) > budget:
                    continue  # nested deep: found by its source words or likeness instead
                budget -= len(own)
                parts[own] = None
    return list(parts)


async def translate_html(
    texts: list[str],
    translate: TranslateSentences,
    off_loop: OffLoop,
    ignore: frozenset[str] = frozenset(),
    counts: TagCounts | None = None,
    attributes: bool = False,
    check_shown: Callable[[str], None] | None = None,
) -> list[TranslationResult]:
    """`translate(parts)`: the plain-text pipeline (limits already checked); `off_loop(fn,
    size)`: runs CPU work off the event loop when it is large; `attributes`: translate the
    human-readable ones (alt, title, placeholder, aria-label) too; `check_shown`: called
    with the text the blocks hold (not the markup) once it is parsed, to refuse it."""
    size = sum(len(t) for t in texts)

    def read() -> list[list[Item]]:
        docs = parse(texts, ignore)
        if check_shown is not None:
            check_shown("\n".join(b.text for b in _blocks(docs)))
        return docs

    docs = await off_loop(read, size)
    parts = first_parts(docs)
    if attributes:
        values = await off_loop(lambda: attribute_values(docs), size)
        seen = set(parts)
        parts += [v for v in dict.fromkeys(values) if v not in seen]
    english = dict(zip(parts, await translate(parts) if parts else [], strict=True))
    if attributes:
        rewrite_attributes(docs, {k: v.translation for k, v in english.items()})
    counts = counts if counts is not None else TagCounts()
    done, by_run = await off_loop(lambda: _place_all(docs, english, counts), size)
    if by_run:
        second = list(dict.fromkeys(t for b in by_run for t in _run_texts(b)))
        english |= dict(zip(second, await translate(second), strict=True))
        for block in by_run:
            done[id(block)] = _runs_done(block, english, warn=True)
    return [_document(text, doc, done) for text, doc in zip(texts, docs, strict=True)]


def _place_all(
    docs: list[list[Item]], english: dict[str, TranslationResult], counts: TagCounts
) -> tuple[dict[int, _Done], list[Block]]:
    """Every block rendered with its tags placed; the blocks where that failed, apart."""
    done: dict[int, _Done] = {}
    by_run: list[Block] = []
    for block in _blocks(docs):
        counts.tags += len(block.spans)
        if not block.paired:
            done[id(block)] = _runs_done(block, english)
            counts.by_run += len(block.spans)
            continue
        result = english[block.text]
        placement = _place(block, result, english)
        counts.confident += placement.confident
        if placement.html is None:
            by_run.append(block)
            counts.by_run += len(block.spans)
            continue
        segments = [
            replace(
                s,
                path=block.path,
                warnings=s.warnings + (("tag_position",) if i in placement.unsure else ()),
            )
            for i, s in enumerate(result.segments)
        ]
        done[id(block)] = _Done(placement.html, segments, set(result.warnings))
    return done, by_run


def attribute_values(docs: list[list[Item]]) -> list[str]:
    """The readable attribute values of every translated tag, unescaped."""
    values = [
        value
        for run in _tags(docs)
        for _, value in readable_attributes(run.raw)
        if any(ch.isalpha() for ch in value)
    ]
    for value in values:  # an entity can unescape to what the model may not see
        check_characters(value)
    return values


def rewrite_attributes(docs: list[list[Item]], english: dict[str, str]) -> None:
    """Each tag with its readable attribute values in English (the rest byte for byte)."""
    for doc in docs:
        for i, item in enumerate(doc):
            if isinstance(item, Run):
                doc[i] = _rewritten(item, english)
            else:
                item.runs = [_rewritten(r, english) for r in item.runs]


def _rewritten(run: Run, english: dict[str, str]) -> Run:
    if run.kind not in ("open", "void") or run.skip:
        return run
    return replace(run, raw=with_attributes(run.raw, english))


def _tags(docs: list[list[Item]]) -> list[Run]:
    out = []
    for doc in docs:
        for item in doc:
            for run in [item] if isinstance(item, Run) else item.runs:
                if run.kind in ("open", "void") and not run.skip:
                    out.append(run)
    return out


def _blocks(docs: list[list[Item]]) -> list[Block]:
    return [item for doc in docs for item in doc if isinstance(item, Block)]


def _run_texts(block: Block) -> list[str]:
    return [r.text for r in block.runs if r.kind == "text" and r.text is not None]


def _place(
    block: Block, result: TranslationResult, english: dict[str, TranslationResult]
) -> Placement:
    if not block.spans:
        html = block.lead + escape(result.translation) + block.trail
        return Placement(html)
    if len(block.spans) > MAX_SPANS:
        return Placement(None)
    sentences = _sentences(result)
    if sentences is None:
        return Placement(None)

    def own(text: str) -> str | None:
        found = english.get(text)
        return found.translation if found else None

    return place(block, result.translation, sentences, own)


def _sentences(result: TranslationResult) -> list[Sentence] | None:
    """Where each segment sits in the block's text and in its translation (the translation
    is its segments' English around the source's own glue: documents.Assembler.result)."""
    out: list[Sentence] = []
    segments = iter(result.segments)
    source = target = 0
    for piece in layout(result.source):
        if piece.kind == "glue":
            source += len(piece.text)
            target += len(piece.text)
            continue
        english = next(segments).translation
        out.append(Sentence(source, source + len(piece.text), target, target + len(english)))
        source += len(piece.text)
        target += len(english)
    return out if target == len(result.translation) else None


def _runs_done(block: Block, english: dict[str, TranslationResult], warn: bool = False) -> _Done:
    """The floor: each text run translated alone, every tag where it was."""
    out = [block.lead]
    segments: list[Segment] = []
    warnings: set[str] = set()
    extra = ("tags_by_run",) if warn or block.spans else ()
    for run in block.runs:
        if run.kind != "text" or run.text is None:
            out.append(run.raw)
            continue
        result = english[run.text]
        out.append(escape(result.translation))  # the text pipeline keeps its edge spaces
        segments.extend(
            replace(s, path=block.path, warnings=s.warnings + extra) for s in result.segments
        )
        warnings.update(result.warnings)
    out.append(block.trail)
    return _Done("".join(out), segments, warnings)


def _document(text: str, doc: list[Item], done: dict[int, _Done]) -> TranslationResult:
    out: list[str] = []
    segments: list[Segment] = []
    warnings: set[str] = set()
    for item in doc:
        if isinstance(item, Run):
            out.append(item.raw)
            continue
        block = done[id(item)]
        out.append(block.html)
        segments.extend(block.segments)
        warnings |= block.warnings
    return TranslationResult("".join(out), segments, text, tuple(sorted(warnings)))
