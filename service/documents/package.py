"""A zip package (Word, PowerPoint, Excel, OpenDocument, EPUB): counted before anything
parses it, its XML parsed with a parser that resolves no entity and fetches nothing, and
written back with every part the translation did not touch kept byte for byte, in its
place and with its compression (an OpenDocument's or EPUB's `mimetype` first and stored,
as their readers require); a part it rewrites keeps its XML declaration, and the English
put in it loses what XML cannot hold. Whatever a library raises while a document is read
or rebuilt is a 422 naming the document, never a 500 (every format uses these, package
or not)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from service.documents.budget import Abandoned, Budget, count_tags
from service.documents.types import CorruptDocument, Piece, Translators, translate_all
from service.errors import LimitExceeded

# A package unpacks to at most this much (XML, styles, pictures together).
MAX_UNPACKED_BYTES = 64 << 20
# Part names a reader may parse as markup, whatever the package's own listing says.
_MARKUP = (".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".xlf", ".xliff", ".svg")
# What XML 1.0 cannot hold: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
T = TypeVar("T")


def xml_parser(recover: bool = False) -> Any:
    """lxml's parser with nothing fetched and no entity expanded (a billion laughs stays a
    few bytes); a tree deeper or larger than libxml2's defaults is refused. `recover`:
    libxml2 mends what is not well-formed (closes what was left open) instead of failing."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        recover=recover,
    )


def parse_xml(data: bytes) -> Any:
    from lxml import etree

    return etree.fromstring(data, xml_parser())


def xml_safe(text: str) -> str:
    """`text` without the characters XML cannot hold (a control character a translation or
    a PDF's text layer brings): lxml refuses to put them in a tree."""
    return _NOT_XML.sub("", text)


def serialize(root: Any) -> bytes:
    """`root`'s whole document — its XML declaration, DOCTYPE (entities unexpanded) and the
    comments and processing instructions before the root — in the encoding it declared (a
    character that encoding cannot hold as a character reference). `standalone="yes"` is
    kept; lxml cannot tell "no" from a declaration without it, which means the same: neither
    is written."""
    from lxml import etree

    tree = root.getroottree()
    return bytes(
        etree.tostring(
            tree,
            xml_declaration=True,
            encoding=tree.docinfo.encoding or "UTF-8",
            standalone=tree.docinfo.standalone or None,
        )
    )


def refuse_doctype(root: Any, what: str, part: str, maker: str) -> None:
    """Office packages never hold a DOCTYPE (their makers refuse one): its entities, left
    unexpanded by our parser, could not be written back, and a billion laughs hides in one."""
    if root.getroottree().docinfo.doctype:
        raise CorruptDocument(
            f"The {what}'s part {part} declares a DOCTYPE, which {maker} never writes: it is "
            f"damaged or made by hand. Save it again from {maker} and send it again."
        )


def read_or_refuse(
    what: str, read: Callable[[], T], hint: str = "Save it again and send it again."
) -> T:
    """`read()`'s result; whatever a library raises on a damaged file is a 422 naming it,
    never a 500; `hint` says what to do about it. A cap or an ended request passes through."""
    return _or_refuse(
        read,
        lambda failed: (
            f"The {what} cannot be read ({failed}): it is damaged or not what its name says. "
            + hint
        ),
    )


def rebuild_or_refuse(what: str, write: Callable[[], T]) -> T:
    """`write()`'s result; whatever a library raises while the English is written back (a
    part it read but cannot write again) is a 422 naming it, never a 500."""
    return _or_refuse(
        write,
        lambda failed: (
            f"The {what} cannot be written back in English ({failed}): something in it is "
            "damaged or not what its name says. Save it again and send it again."
        ),
    )


def _or_refuse(work: Callable[[], T], message: Callable[[str], str]) -> T:
    """The error is raised outside the `except`, so that it holds no reference to a
    half-built tree."""
    failed = ""
    try:
        return work()
    except (LimitExceeded, Abandoned, CorruptDocument):
        raise
    except Exception as err:
        failed = type(err).__name__
    raise CorruptDocument(message(failed))


# What unpacking a damaged zip raises (a bad CRC or header, encryption, a strange method).
_UNZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


@contextmanager
def _unpacking() -> Iterator[None]:
    """A part that cannot be unpacked is a damaged package (422), wherever it is met: the
    count reads only the XML parts, so a damaged picture shows when it is copied out."""
    failed = ""
    try:
        yield
    except _UNZIP_ERRORS as err:
        failed = f"{type(err).__name__}: {err}"
    if failed:
        raise CorruptDocument(
            f"The document cannot be unpacked ({failed[:200]}): it is damaged. Save it again "
            "and send it again."
        )


class Package:
    """A zip package's parts by name; `replace` some, `save` the whole again."""

    def __init__(self, data: bytes) -> None:
        self._zip = zipfile.ZipFile(io.BytesIO(data))  # not a zip: the reader says which
        self.names = [e.filename for e in self._zip.infolist()]
        self._names = set(self.names)  # `has` is asked once per manifest item, per relation
        self._new: dict[str, bytes] = {}

    def read(self, name: str) -> bytes:
        if name in self._new:
            return self._new[name]
        with _unpacking():
            return self._zip.read(name)

    def has(self, name: str) -> bool:
        return name in self._names

    def replace(self, name: str, data: bytes) -> None:
        self._new[name] = data

    def replace_tree(self, name: str, root: Any) -> None:
        """Part `name` becomes `root`'s document, serialized (`serialize`)."""
        self._new[name] = serialize(root)

    def save(self) -> bytes:
        out = io.BytesIO()
        with _unpacking(), zipfile.ZipFile(out, "w") as written:
            for entry in self._zip.infolist():
                if entry.filename not in self._new:
                    # untouched: the same bytes, the same compression
                    written.writestr(entry, self._zip.read(entry), entry.compress_type)
                    continue
                info = zipfile.ZipInfo(entry.filename, entry.date_time)
                info.compress_type = entry.compress_type
                info.external_attr = entry.external_attr
                written.writestr(info, self._new[entry.filename])
        return out.getvalue()


@dataclass(slots=True)
class Counted:
    """What has been counted of a package, as running totals held to the budget's caps: the
    parts by name, the bytes they unpack to and their tags. `check_package` counts every
    part a reader could parse as markup; a format that parses a part it did not name (an
    EPUB's chapter may be named anyhow) adds it. Each part counts once."""

    budget: Budget
    what: str
    names: set[str] = field(default_factory=set)
    unpacked: int = 0
    tags: int = 0

    def add(self, name: str, data: bytes) -> None:
        if name in self.names:
            return
        self.names.add(name)
        self.unpacked += len(data)
        self.budget.unpacked(self.unpacked, self.what)
        self.tags = count_tags(data, self.budget, self.what, self.tags)


def check_package(data: bytes, budget: Budget, what: str) -> Counted:
    """A small zip can unpack to gigabytes, or to millions of tags: its files are counted,
    and every part a reader could parse as XML — by its name or by the content type the
    package gives it — is unpacked in chunks and its tags counted, before anything parses
    it. A part that cannot be unpacked is a damaged package (422), not a reason to stop
    counting. What was counted is returned, for the parts a format parses beyond these."""
    counted = Counted(budget, what)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return counted  # not a zip at all: the format's reader says what it is instead
    budget.packaged = True
    failed = ""
    with package:
        entries = package.infolist()
        budget.parts(len(entries), what)
        size = sum(entry.file_size for entry in entries)
        if size > MAX_UNPACKED_BYTES:
            raise LimitExceeded(
                f"The {what} unpacks to {size:,} bytes; roen reads at most "
                f"{MAX_UNPACKED_BYTES:,} (its text, styles and parts together).",
                limit=MAX_UNPACKED_BYTES,
                actual=size,
            )
        try:
            xml = _xml_parts(package, entries, counted)
            rest = [e for e in xml if e.filename not in counted.names]
            counted.unpacked += sum(e.file_size for e in rest)
            budget.unpacked(counted.unpacked, what)  # as declared, before unpacking any
            for entry in rest:
                counted.names.add(entry.filename)
                with package.open(entry) as part:
                    while chunk := part.read(1 << 20):
                        counted.tags = count_tags(chunk, budget, what, counted.tags)
                        budget.check()
        except _UNZIP_ERRORS as err:
            failed = f"{type(err).__name__}: {err}"  # a bad CRC, encryption, a strange method
    if failed:
        raise CorruptDocument(
            f"The {what} cannot be unpacked ({failed[:200]}): it is damaged. Save it again "
            "and send it again."
        )
    return counted


def _xml_parts(
    package: zipfile.ZipFile, entries: list[zipfile.ZipInfo], counted: Counted
) -> list[zipfile.ZipInfo]:
    """The parts a reader may parse as XML: named .xml or .rels, or typed as XML in the
    package's [Content_Types].xml (python-docx goes by the type, not the name). That
    listing is counted (in `counted`) before it is parsed."""
    from lxml import etree

    typed: set[str] = set()
    extensions: set[str] = set()
    listing = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
    if listing is not None:
        counted.budget.unpacked(counted.unpacked + listing.file_size, counted.what)
        raw = package.read(listing)
        counted.add(listing.filename, raw)
        try:
            root = parse_xml(raw)
        except etree.XMLSyntaxError:
            root = None  # the format's reader will say the package is damaged
        for item in root.iter() if root is not None else ():
            kind = str(item.get("ContentType") or "").lower()
            if "xml" not in kind:
                continue
            if item.get("PartName"):
                typed.add(str(item.get("PartName")).lstrip("/").lower())
            if item.get("Extension"):
                extensions.add("." + str(item.get("Extension")).lower())
    return [
        e
        for e in entries
        if e.filename.lower().endswith((*_MARKUP, *extensions)) or e.filename.lower() in typed
    ]


class Parsed(Protocol):
    """A document read and counted: its pieces to translate, and its rebuilding in English."""

    @property
    def pieces(self) -> Sequence[Piece]: ...

    def write(self, english: dict[str, str]) -> bytes: ...


async def translate_parsed(
    data: bytes, translate: Translators, what: str, read: Callable[[], Parsed]
) -> bytes:
    """A structured document's one path: read and counted off the loop (damaged: a 422),
    nothing to translate gives the file back as it came, every distinct piece translated in
    one call, and the English written back off the loop (a failure there: a 422)."""
    parsed = await translate.cpu(lambda: read_or_refuse(what, read), len(data))
    if not parsed.pieces:
        return data
    english = await translate_all((p.html for p in parsed.pieces), translate.html)
    return await translate.cpu(
        lambda: rebuild_or_refuse(what, lambda: parsed.write(english)), len(data)
    )
