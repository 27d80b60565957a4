"""What /docs shows beyond the schemas: real examples, and the limits this server enforces.

The examples are real: Romanian sentences of WMT newstest2016 with the published output of
the best OPUS-MT Romanian→English model (the model roen serves by default), and problem
bodies as roen writes them. Limits come from Settings, so a client reading /docs sees the
`maxItems` and `maxLength` this server will hold it to, not the parser's static bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import Example, OpenAPIResponse, RequestBody, Schema

from service import errors
from service.settings import Settings

SOURCE = "Până la mijlocul lui iulie, procentul a urcat la 40%."
ENGLISH = "By mid-July, the percentage had risen to 40%."
ARTICLE = (
    "8 cifre din sondaje care arată că Donald Trump are șanse reale\n\n"
    "În prezent, șase din 10 republicani au o părere favorabilă despre Donald Trump. "
    "Aproximativ trei din 10 declară că au o părere negativă."
)
ARTICLE_EN = (
    "8 poll figures showing Donald Trump has real chances\n\n"
    "Currently, six out of 10 Republicans have a favorable opinion of Donald Trump. "
    "About three out of 10 say they have a negative opinion."
)
MODEL = "Helsinki-NLP/opus-mt-ro-en"

REQUESTS: dict[str, list[Example]] = {
    "translate": [
        Example(summary="One text", value={"text": SOURCE}),
        Example(
            summary="Several texts, with segments",
            value={"texts": [SOURCE, ARTICLE], "include_segments": True},
        ),
    ],
    "digest": [Example(summary="An article", value={"text": ARTICLE, "length": "short"})],
    "summarize": [Example(summary="English text", value={"text": ARTICLE_EN, "max_sentences": 1})],
}
RESPONSES: dict[str, dict[str, Any]] = {
    "translate": {"model": MODEL, "elapsed_ms": 84.2, "translation": ENGLISH},
    "digest": {
        "headline": "8 poll figures showing Donald Trump has real chances",
        "summary": ARTICLE_EN.split("\n\n")[1],
        "summary_sentences": [
            "Currently, six out of 10 Republicans have a favorable opinion of Donald Trump.",
            "About three out of 10 say they have a negative opinion.",
        ],
        "translation": ARTICLE_EN,
        "method": "extractive",
        "model": MODEL,
        "elapsed_ms": 212.5,
    },
    "summarize": {
        "summary": "Currently, six out of 10 Republicans have a favorable opinion of Donald Trump.",
        "sentences": [
            "Currently, six out of 10 Republicans have a favorable opinion of Donald Trump."
        ],
        "method": "extractive",
        "elapsed_ms": 12.0,
    },
}


def _raised(call: Callable[[], object]) -> errors.RoenError:
    try:
        call()
    except errors.RoenError as err:
        return err
    raise AssertionError("expected an error")  # pragma: no cover


def problem_examples(settings: Settings) -> dict[int, errors.RoenError]:
    """One error per status, made by the code that raises it (so the examples stay true)."""
    from service.http.bodies import check_json
    from service.http.schemas import DigestRequest
    from service.pipeline.limits import Limits

    limits = Limits.from_settings(settings)
    return {
        400: _raised(lambda: check_json(b"")),
        401: errors.Unauthenticated("Send your API key as `Authorization: Bearer <key>`."),
        403: errors.Forbidden("This API key is not accepted by this server."),
        413: _raised(lambda: limits.check(["ă" * (settings.max_chars + 1)])),
        415: errors.UnsupportedMediaType(
            "Content-Type must be application/json, not 'text/plain'."
        ),
        422: _raised(
            lambda: check_json('{"text": "Bună", "length": "tiny"}'.encode(), DigestRequest)
        ),
        503: errors.ModelNotReady("The translation model is still loading; retry shortly."),
        504: errors.RequestTimeout(
            f"The request did not finish within {settings.request_timeout_s:g} s "
            "(ROEN_REQUEST_TIMEOUT_S). Send shorter texts or retry when the server is less busy."
        ),
    }


def document(app: Litestar, settings: Settings) -> None:
    """Fill the app's OpenAPI document (built once, here) with this server's limits and
    real examples of requests, answers and problems."""
    from service.http.problems import problem_for

    openapi = app.openapi_schema
    schemas = openapi.components.schemas or {}
    for name in ("TranslateRequest", "DigestRequest", "SummarizeRequest"):
        properties = schemas[name].properties or {}
        text = properties["text"]
        if isinstance(text, Schema):
            text.max_length = settings.max_chars
        texts = properties.get("texts")
        if isinstance(texts, Schema):
            texts.max_items = settings.max_texts
    problems = {
        str(status): problem_for(err).body() for status, err in problem_examples(settings).items()
    }
    for path, item in (openapi.paths or {}).items():
        route = path.removeprefix("/v1/")
        operation = item.post if item.post is not None else item.get
        if operation is None:
            continue
        body = operation.request_body
        if route in REQUESTS and isinstance(body, RequestBody):
            body.content["application/json"].examples = {
                e.summary or str(i): e for i, e in enumerate(REQUESTS[route])
            }
        for code, response in (operation.responses or {}).items():
            if not isinstance(response, OpenAPIResponse) or not response.content:
                continue
            if code == "200" and route in RESPONSES:
                example = Example(summary="Answer", value=RESPONSES[route])
                response.content["application/json"].examples = {"answer": example}
            elif code in problems and "application/problem+json" in response.content:
                value = problems[code]
                response.content["application/problem+json"].examples = {
                    str(value["title"]): Example(summary=str(value["title"]), value=value)
                }
