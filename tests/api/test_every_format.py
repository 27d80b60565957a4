"""Every format roen translates, at every door that takes a file (/v1, LibreTranslate's
/translate_file and its download, the form), and a byte fuzz of each: its valid sample
damaged at random — bytes overwritten, cut short, and for a package one of its parts
damaged inside a zip that is itself sound (so the damage reaches the XML parsers, not just
the zip's checksums). Whatever the bytes: 200, 413, 415 or 422, never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.documents.formats import FORMATS
from tests.support.fakes import WordMark
from tests.support.samples import SAMPLES

REFUSALS = {200, 413, 415, 422}
PACKAGES = [s for s in FORMATS if zipfile.is_zipfile(io.BytesIO(SAMPLES[s]()))]


@pytest.fixture
def client(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        yield c


def send(client, name: str, data: bytes, path: str = "/v1/translate/file"):
    return client.post(path, files={"file": (name, data, "application/octet-stream")})


def test_every_format_has_a_sample():
    assert set(SAMPLES) == set(FORMATS)


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_each_format_at_each_door(client, suffix):
    """/v1 and the form answer with the document (named for what it gives back), and
    LibreTranslate's /translate_file with a URL that hands it out."""
    gives = FORMATS[suffix].output
    for path in ("/v1/translate/file", "/document"):
        r = send(client, "raport" + suffix, SAMPLES[suffix](), path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith(gives.media_type.split(";")[0])
        assert f'filename="raport.en{gives.suffix}"' in r.headers["content-disposition"]
    r = client.post(
        "/translate_file",
        files={"file": ("raport" + suffix, SAMPLES[suffix](), "application/octet-stream")},
        data={"source": "ro", "target": "en"},
    )
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    assert url.endswith(f".raport_en{gives.suffix}")
    got = client.get(url.removeprefix("http://testserver.local"))
    assert got.status_code == 200 and got.content
    assert got.headers["content-type"].startswith(gives.media_type.split(";")[0])


def _damaged(data: bytes, draw: st.DrawFn) -> bytes:
    how = draw(st.sampled_from(["overwrite", "truncate", "insert"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if how == "truncate":
        return data[:at]
    junk = draw(st.binary(min_size=1, max_size=16))
    if how == "insert":
        return data[:at] + junk + data[at:]
    return data[:at] + junk + data[at + len(junk) :]


@st.composite
def damaged_files(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(list(FORMATS)))
    return suffix, _damaged(SAMPLES[suffix](), draw)


@st.composite
def damaged_parts(draw: st.DrawFn) -> tuple[str, bytes]:
    """A package whose zip is sound and one of whose parts is damaged."""
    suffix = draw(st.sampled_from(PACKAGES))
    source = zipfile.ZipFile(io.BytesIO(SAMPLES[suffix]()))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as written:
        for name in names:
            part = source.read(name)
            written.writestr(name, _damaged(part, draw) if name == victim else part)
    return suffix, out.getvalue()


FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(damaged_files() | damaged_parts())
def test_a_damaged_file_of_any_format_is_refused_or_translated_never_a_500(client, case):
    suffix, data = case
    r = send(client, "x" + suffix, data)
    assert r.status_code in REFUSALS, (suffix, r.status_code, r.text)
    if r.status_code != 200:
        assert r.json()["detail"]  # with the reason
