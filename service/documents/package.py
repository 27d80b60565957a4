"""A zip package (Word, PowerPoint, Excel, OpenDocument, EPUB): counted before anything
parses it, its XML parsed with a parser that resolves no entity and fetches nothing, and
written back with every part the translation did not touch kept byte for byte, in its
place and with its compression (an OpenDocument's or EPUB's `mimetype` first and stored,
as their readers require)."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from service.documents.budget import Abandoned, Budget, count_tags
from service.documents.types import CorruptDocument
from service.errors import LimitExceeded

# A package unpacks to at most this much (XML, styles, pictures together).
MAX_UNPACKED_BYTES = 64 << 20
# Part names a reader may parse as markup, whatever the package's own listing says.
_MARKUP = (".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".xlf", ".xliff", ".svg")
T = TypeVar("T")


def xml_parser() -> Any:
    """lxml's parser with nothing fetched and no entity expanded (a billion laughs stays a
    few bytes); a tree deeper or larger than libxml2's defaults is refused."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def parse_xml(data: bytes) -> Any:
    from lxml import etree

    return etree.fromstring(data, xml_parser())


def refuse_doctype(root: Any, what: str, part: str, maker: str) -> None:
    """Office packages never hold a DOCTYPE (their makers refuse one): its entities, left
    unexpanded by our parser, could not be written back, and a billion laughs hides in one."""
    if root.getroottree().docinfo.doctype:
        raise CorruptDocument(
            f"The {what}'s part {part} declares a DOCTYPE, which {maker} never writes: it is "
            f"damaged or made by hand. Save it again from {maker} and send it again."
        )


def read_or_refuse(what: str, read: Callable[[], T]) -> T:
    """`read()`'s result; whatever a library raises on a damaged file is a 422 naming it,
    never a 500. A cap or an ended request passes through. The error is raised outside the
    `except`, so that it holds no reference to a half-parsed tree."""
    failed = ""
    try:
        return read()
    except (LimitExceeded, Abandoned, CorruptDocument):
        raise
    except Exception as err:
        failed = type(err).__name__
    raise CorruptDocument(
        f"The {what} cannot be read ({failed}): it is damaged or not what its name says. "
        "Save it again and send it again."
    )


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
        self._new: dict[str, bytes] = {}

    def read(self, name: str) -> bytes:
        if name in self._new:
            return self._new[name]
        with _unpacking():
            return self._zip.read(name)

    def has(self, name: str) -> bool:
        return name in self.names

    def replace(self, name: str, data: bytes) -> None:
        self._new[name] = data

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


def check_package(data: bytes, budget: Budget, what: str) -> None:
    """A small zip can unpack to gigabytes, or to millions of tags: its files are counted,
    and every part a reader could parse as XML — by its name or by the content type the
    package gives it — is unpacked in chunks and its tags counted, before anything parses
    it. A part that cannot be unpacked is a damaged package (422), not a reason to stop
    counting."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not a zip at all: python-docx says so
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
            xml = _xml_parts(package, entries, budget, what)
            budget.unpacked(sum(e.file_size for e in xml), what)
            tags = 0
            for entry in xml:
                with package.open(entry) as part:
                    while chunk := part.read(1 << 20):
                        tags = count_tags(chunk, budget, what, tags)
                        budget.check()
        except _UNZIP_ERRORS as err:
            failed = f"{type(err).__name__}: {err}"  # a bad CRC, encryption, a strange method
    if failed:
        raise CorruptDocument(
            f"The {what} cannot be unpacked ({failed[:200]}): it is damaged. Save it again "
            "and send it again."
        )


def _xml_parts(
    package: zipfile.ZipFile, entries: list[zipfile.ZipInfo], budget: Budget, what: str
) -> list[zipfile.ZipInfo]:
    """The parts a reader may parse as XML: named .xml or .rels, or typed as XML in the
    package's [Content_Types].xml (python-docx goes by the type, not the name)."""
    from lxml import etree

    typed: set[str] = set()
    extensions: set[str] = set()
    listing = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
    if listing is not None:
        budget.unpacked(listing.file_size, what)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(package.read(listing), parser)
        except etree.XMLSyntaxError:
            root = None  # python-docx will say the package is damaged
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
