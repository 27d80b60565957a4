"""Bytes a client sends, checked before any parser sees them: every failure is a 400 that
says what is wrong, never an exception from deep inside a decoder.

- UTF-8, strictly: invalid bytes, overlong forms (C0 AF) and encoded surrogates (ED A0 80)
  are refused wherever they are — in a string, a key, or between tokens.
- JSON nesting at most MAX_DEPTH deep: a 2 KB body of 1,000 nested arrays would otherwise
  exhaust the parser's recursion.
- No lone surrogate escapes (\\ud800 without its pair): they cannot become text.
Each check is one linear pass.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from service.errors import InputError, InvalidField, MalformedBody

MAX_DEPTH = 32
# A high surrogate escape not followed by a low one, or a low one not preceded by a high one.
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<![dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def utf8(body: bytes, what: str = "The body", error: type[InputError] = MalformedBody) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise error(
            f"{what} is not valid UTF-8 (byte {err.start}: {body[err.start : err.start + 4]!r}). "
            "Send UTF-8 text."
        ) from None


EXAMPLE = '{"text": "Bună ziua."}'


def check_json(body: bytes, schema: type[Any] | None = None) -> Any:
    """The body decoded once: with `schema`, straight into it, strictly (`"2"` is not a
    beam width; Litestar's own conversion is lenient), so that a wrong field is a 422
    naming it; whatever is wrong with the bytes themselves is a 400 saying what. Only a
    refused body is read a second time, untyped, to tell the two apart."""
    if not body.strip():
        raise MalformedBody(f"The body is empty. Send a JSON object such as {EXAMPLE}.")
    if schema is None:
        return _untyped(body)
    try:
        return msgspec.json.decode(body, type=schema, strict=True)
    except msgspec.ValidationError as err:
        _untyped(body)  # bytes that are not JSON (or too deep) are a 400 first
        raise invalid_field(schema, str(err)) from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        _untyped(body)  # raises the 400 that says what is wrong
        raise


def _untyped(body: bytes) -> Any:
    """Parse untyped (msgspec: C, linear): whatever is wrong with the bytes is a 400."""
    try:
        value = msgspec.json.decode(body)
    except UnicodeDecodeError:
        utf8(body)  # says where
        raise MalformedBody("The body is not valid UTF-8. Send UTF-8 text.") from None
    except RecursionError:
        raise _too_deep() from None
    except msgspec.DecodeError as err:
        text = body.decode("utf-8", "replace")
        if _LONE_SURROGATE.search(text):
            raise MalformedBody(
                "The JSON holds a lone surrogate escape (\\ud800–\\udfff without its pair): "
                "it cannot be text. Send the character itself, or a valid pair."
            ) from None
        raise MalformedBody(f"The body is not valid JSON ({err}). Send a JSON object.") from None
    if _depth(value) > MAX_DEPTH:
        raise _too_deep()
    return value


def invalid_field(schema: type[Any], error: str) -> InvalidField:
    """msgspec's message made into one a client can act on: which field, what was wrong,
    and what to send instead — described from the schema itself, so it stays true."""
    message, _, where = error.partition(" - at `")
    path = where.rstrip("`").removeprefix("$").lstrip(".")
    fields = {f.name: f for f in msgspec.inspect.type_info(schema).fields}  # type: ignore[attr-defined]
    if unknown := re.match(r"Object contains unknown field `(.*)`$", message):
        name = unknown.group(1)
        near = difflib.get_close_matches(name, fields, n=1)
        hint = f" Did you mean `{near[0]}`?" if near else ""
        return InvalidField(
            f"Unknown field `{name}`.{hint} This route takes: {', '.join(fields)}.",
            field=(f"{path}." if path else "") + name,
        )
    if missing := re.match(r"Object missing required field `(.*)`$", message):
        name = missing.group(1)
        return InvalidField(f"`{name}` is required: {_describe(fields[name].type)}.", field=name)
    if not path:  # the body itself is not an object
        return InvalidField(
            f"The body must be a JSON object such as {EXAMPLE} ({message.lower()}).",
            field=None,
        )
    name = re.sub(r"\W.*", "", path)
    wanted = None
    if name in fields:
        info = _bare(fields[name].type)
        if path != name and isinstance(info, msgspec.inspect.ListType):  # an item of it
            info = _bare(info.item_type)
        wanted = _describe(info)
    detail = f"`{path}` is invalid: {message[0].lower()}{message[1:]}."
    return InvalidField(detail + (f" Send {wanted}." if wanted else ""), field=path)


def _bare(info: Any) -> Any:
    """The type without its metadata, and without `| None` (null means "not given")."""
    insp = msgspec.inspect
    while True:
        if isinstance(info, insp.Metadata):
            info = info.type
        elif isinstance(info, insp.UnionType):
            kinds = [t for t in info.types if not isinstance(t, insp.NoneType)]
            if len(kinds) != 1:
                return info
            info = kinds[0]
        else:
            return info


def _describe(info: Any) -> str:
    """What a value of this msgspec type looks like, in words."""
    insp = msgspec.inspect
    info = _bare(info)
    if isinstance(info, insp.UnionType):
        return " or ".join(_describe(t) for t in info.types if not isinstance(t, insp.NoneType))
    if isinstance(info, insp.LiteralType):
        return "one of " + ", ".join(f'"{v}"' for v in info.values)
    if isinstance(info, insp.StrType):
        return "a non-empty string" if info.min_length else "a string"
    if isinstance(info, insp.BoolType):
        return "true or false"
    if isinstance(info, insp.IntType):
        if info.ge is not None and info.le is not None:
            return f"a whole number from {info.ge} to {info.le}"
        return "a whole number"
    if isinstance(info, insp.ListType):
        most = f" (at most {info.max_length:,})" if info.max_length is not None else ""
        return f"a list of {_describe(info.item_type).removeprefix('a ')}s{most}"
    return "a value of the documented type"


def _too_deep() -> MalformedBody:
    return MalformedBody(
        f"The JSON is nested more than {MAX_DEPTH} levels deep; roen's bodies are flat."
    )


def _depth(value: Any) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            todo.extend((x, depth + 1) for x in item)
    return deepest


def urlencoded(body: bytes) -> list[tuple[str, str]]:
    """A form body, decoded strictly: `%ff` is an error, not a silent U+FFFD."""
    try:
        return parse_qsl(utf8(body), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as err:
        raise MalformedBody(
            f"A form field is not valid UTF-8 once %-decoded ({err.reason}). Send UTF-8 text."
        ) from None


@dataclass
class Params:
    """The parameters of one request, from whatever encoding it used."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    lists: set[str] = field(default_factory=set)  # sent as a JSON array or a repeated key

    def add(self, key: str, value: Any) -> None:
        if isinstance(value, list):
            self.values.setdefault(key, []).extend(value)
            self.lists.add(key)
        else:
            self.values.setdefault(key, []).append(value)
            if len(self.values[key]) > 1:
                self.lists.add(key)

    def one(self, key: str, default: str | None = None) -> str | None:
        values = self.values.get(key)
        if not values or values[0] is None:
            return default
        return str(values[0]).strip()

    def all(self, key: str) -> list[Any]:
        return self.values.get(key, [])


async def params(request: Any) -> Params:
    """JSON, urlencoded (repeated keys, bare keys), multipart, plus the query string —
    decoded strictly, like every body."""
    found = Params()
    for key, value in urlencoded(request.scope.get("query_string", b"")):
        found.add(key, value)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body.strip():
        return found
    if ctype == "application/json" or ctype.endswith("+json"):
        data = check_json(body)
        if not isinstance(data, dict):
            raise MalformedBody("The body must be a JSON object.")
        for key, value in data.items():
            found.add(key, value)
    elif ctype == "multipart/form-data":
        try:
            form = await request.form()
        except (UnicodeDecodeError, LookupError, ValueError) as err:
            raise MalformedBody(f"The form could not be read ({type(err).__name__}).") from None
        for key, value in form.multi_items():
            found.add(key, value)
    else:  # urlencoded, or a client that forgot its content type
        for key, value in urlencoded(body):
            found.add(key, value)
    return found
