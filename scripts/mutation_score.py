"""The mutation score of the last `make mutants` run, per module and in all.

    python scripts/mutation_score.py [--survivors]

Reads mutmut's per-file results (mutants/**/*.py.meta). A mutant counts as caught when a test
failed on it, it timed out (a mutant that hangs the code is caught by the suite's timeouts
too) or it broke the import; survivors are listed by name so that `mutmut show NAME` prints
the change. Mutants judged equivalent (no test could tell them from the code) are listed in
EQUIVALENT with the reason, and reported apart, not hidden.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

MUTANTS = Path("mutants")

CAUGHT = {1: "killed", 3: "killed", 37: "killed", 36: "timeout", 24: "timeout", -24: "timeout"}
CAUGHT |= {152: "timeout", 255: "timeout"}
NOT_RUN = {5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}

# name → why no test can tell it from the code (see `mutmut show NAME`). Names are stable while
# the function they are in does not change; a stale name here is simply never matched.
_SLICES = "with 3k > n the three k-slices cannot all match (one is empty): skipping or not, same"
EQUIVALENT: dict[str, str] = {
    "service.runtime.decoding.x_loop_start__mutmut_9": _SLICES,
    "service.runtime.decoding.x_collapse_loops__mutmut_13": _SLICES,
    "service.runtime.decoding.x_loop_start__mutmut_12": "return instead of break: both end in "
    "`return None`",
    "service.text.markup.x_escape__mutmut_2": "quote=None is falsy, as quote=False",
    "service.text.markup.x_runs__mutmut_13": "next_gt=1 only skips the '>' search for a '<' at "
    "index 1, which the next '<' does anyway; the runs are the same",
    "service.runtime.scheduler.xǁSchedulerǁ_fail__mutmut_3": "job.left=+1: the job's future is "
    "settled in the same step and the worker skips rows of a settled future",
    "service.runtime.scheduler.xǁSchedulerǁ_fail__mutmut_4": "job.left=-2: as -1",
    "service.runtime.scheduler.xǁSchedulerǁ_drop__mutmut_5": "as _fail_3: the job is gone from "
    "the queue and its future cancelled",
    "service.runtime.scheduler.xǁSchedulerǁ_drop__mutmut_6": "as _drop_5",
    "service.text.segment.x_sentence_spans__mutmut_33": "line[start] is never a space (start "
    "skips them, and a boundary sets it past them), so the trim stops above start either way",
    "service.text.segment.x__is_boundary__mutmut_11": "'...' is also all dots: the same rule",
    "service.text.segment.x__is_boundary__mutmut_40": "'XXXX' is in no abbreviation list, as ''",
    "service.text.segment.x__is_boundary__mutmut_42": "a one-letter word is an initial either way",
    "service.text.segment.x__is_boundary__mutmut_48": "rsplit('.') ends with the same last part",
    "service.text.segment.x__is_boundary__mutmut_51": "rsplit('.', 2) ends with the same last part",
    "service.text.markup.x_runs__mutmut_23": "next_gt (a '>') never equals pos (a '<')",
    "service.text.markup.x_runs__mutmut_26": "searching '>' from 0 finds one before pos, so the "
    "next '<' searches again: where the search starts changes no run",
    "service.text.markup.x_runs__mutmut_28": "as _26",
    "service.text.markup.x_runs__mutmut_50": "the match's end bound excludes pos+MAX_TAG, so a "
    "tag whose '>' is there cannot match either way",
    "service.http.problems.x_status_of__mutmut_6": "only RoenError and HTTPException reach "
    "status_of (the dialect routers' handlers are registered for those two)",
    "service.http.problems.x_status_of__mutmut_7": "as _6: the `else 500` is never taken",
    "service.http.problems.x_status_of__mutmut_25": "header names are case-insensitive",
    "service.http.problems.x_status_of__mutmut_26": "header names are case-insensitive",
    "service.http.problems.x_request_id__mutmut_5": "Litestar always puts `state` in the scope",
    "service.http.problems.x_request_id__mutmut_7": "as _5",
    **dict.fromkeys(
        [
            "service.http.problems.x_problem_for__mutmut_32",
            "service.http.problems.x_problem_for__mutmut_33",
            "service.http.problems.x_problem_for__mutmut_37",
            "service.http.problems.x_problem_for__mutmut_38",
            "service.http.problems.x_on_http_error__mutmut_121",
            "service.http.problems.x_on_http_error__mutmut_122",
            "service.http.problems.x_on_http_error__mutmut_147",
            "service.http.problems.x_on_http_error__mutmut_148",
            "service.http.problems.x_body_too_large__mutmut_8",
        ],
        "a header name in another case: HTTP header names are case-insensitive, and so are "
        "Litestar's request and response headers",
    ),
    "service.http.problems.x_body_too_large__mutmut_9": "'XXXX' is no more digits than '': "
    "the same 'is larger than' wording",
    "service.http.problems.x_status_of__mutmut_15": "as _6: an HTTPException always has "
    "`headers`, so getattr's default is never used",
    "service.http.problems.x_on_http_error__mutmut_68": "as status_of_15",
    "service.http.problems.x_status_of__mutmut_35": "an HTTPException always has `detail`",
    "service.http.problems.x_status_of__mutmut_38": "as _35",
    "service.http.problems.x_status_of__mutmut_41": "as _35",
    "service.runtime.scheduler.xǁSchedulerǁ_take_batch__mutmut_19": "an integer n·L exceeds "
    "b/beam exactly when it exceeds b//beam",
    "service.runtime.scheduler.xǁSchedulerǁ_take_batch__mutmut_20": "the budget is never below "
    "2 (batch_tokens ≥ 64, beam ≤ 8): the floor never applies",
    "service.runtime.scheduler.xǁSchedulerǁ_take_batch__mutmut_42": "the inner test stops "
    "taking at max_batch, so the sweep ends with no progress either way",
    "service.runtime.scheduler.xǁSchedulerǁ_take_batch__mutmut_43": "None is falsy, as False",
    **dict.fromkeys(
        [
            "service.runtime.scheduler.xǁSchedulerǁ_linger__mutmut_30",
            "service.runtime.scheduler.xǁSchedulerǁ_linger__mutmut_36",
            "service.runtime.scheduler.xǁSchedulerǁ_linger__mutmut_37",
        ],
        "< or <= between monotonic float times: equality is never seen",
    ),
    **dict.fromkeys(
        [
            "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_43",
            "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_45",
        ],
        "a logged duration 0.1 % larger: no test can tell 1000 from 1001 ms per second",
    ),
    **dict.fromkeys(
        [
            "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_51",
            "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_54",
            "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_55",
        ],
        "zip's strictness: the lengths were compared just before (a mismatch is an error)",
    ),
    "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_56": "for a job with rows in a "
    "batch, left ≤ 0 and a settled future go together (_fail and _drop set both; a job "
    "reaches 0 only with its last row)",
    "service.runtime.scheduler.xǁSchedulerǁ_execute__mutmut_57": "as _56: left is 0 only "
    "once the last row is in, so no later batch holds a row of it",
    "service.runtime.scheduler.xǁSchedulerǁ_take_batch__mutmut_2": "< or <= against a "
    "monotonic float clock: equality is never seen",
    "service.runtime.scheduler.xǁSchedulerǁ_execute_task__mutmut_1": "< or <= against a "
    "monotonic float clock: equality is never seen",
    "service.text.headline.x_headline__mutmut_26": "with no space (cut = -1), head[:-1] is "
    "text[:limit]: the same string",
    "service.text.headline.x_headline__mutmut_27": "cut is never 0: the text is joined by "
    "single spaces, so it does not start with one",
    "service.text.layout.x_layout__mutmut_4": "None is falsy, as False",
    "service.text.layout.x_layout__mutmut_27": "None is falsy, as False",
    "service.pipeline.limits.x_check_characters__mutmut_11": "'X' is not a control character: "
    "adding it to the allowed ones changes nothing",
    "service.text.split_long.x_best_cut__mutmut_29": "the stripped text does not start with "
    "a space, so no space run starts at 0",
    "service.text.split_long.x_split_to_fit__mutmut_22": "best_cut's left end is at most "
    "len - 1 already: a looser clamp is the same",
    "service.text.split_long.x_split_to_fit__mutmut_23": "as _22 (b + a - 1 ≥ b - a - 1)",
    "service.text.split_long.x_split_to_fit__mutmut_24": "differs only for a clause mark right "
    "before trailing whitespace; layout gives sentences without edge whitespace, and pieces "
    "are cut after the mark",
}
# Functions called while the app is built (route declarations): mutmut's workers import the
# package before a mutant is switched on, so no test run can see these mutants; the OpenAPI
# document's test checks what they build.
AT_IMPORT = ("service.http.problems.x_problem_responses__",)


def left_out(name: str) -> str | None:
    if name in EQUIVALENT:
        return EQUIVALENT[name]
    if name.startswith(AT_IMPORT):
        return "runs at import, before a mutant is active"
    return None


def results() -> dict[str, dict[str, int | None]]:
    by_file: dict[str, dict[str, int | None]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        by_file[module] = json.loads(meta.read_text())["exit_code_by_key"]
    return by_file


def verdict(code: int | None) -> str:
    if code in CAUGHT:
        return "caught"
    if code in NOT_RUN:
        return NOT_RUN[code]
    return "survived" if code == 0 else "suspicious"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--survivors", action="store_true", help="list every survivor by name")
    args = ap.parse_args()
    by_file = results()
    if not by_file:
        print("no results: run `make mutants` first")
        return 1
    total: Counter[str] = Counter()
    survivors: list[str] = []
    print(f"{'module':44} {'mutants':>8} {'caught':>7} {'survived':>9} {'score':>7}")
    for module, codes in by_file.items():
        counts = Counter(verdict(c) for c in codes.values())
        equivalent = sum(1 for name, c in codes.items() if c == 0 and left_out(name))
        counts["equivalent"] += equivalent
        counts["survived"] -= equivalent
        total += counts
        survivors += [n for n, c in codes.items() if verdict(c) != "caught" and not left_out(n)]
        scored = len(codes) - equivalent
        print(
            f"{module:44} {len(codes):>8} {counts['caught']:>7} {counts['survived']:>9} "
            f"{100 * counts['caught'] / max(1, scored):>6.1f}%"
        )
    scored = sum(total.values()) - total["equivalent"]
    print(
        f"\n{sum(total.values())} mutants: {total['caught']} caught, {total['survived']} survived, "
        f"{total['equivalent']} left out as equivalent (listed with reasons), "
        f"{total['no tests']} reached by no test, {total['not checked']} not run yet"
    )
    print(f"mutation score: {100 * total['caught'] / max(1, scored):.1f}% (equivalents left out)")
    if total["not checked"]:  # an interrupted run: what the mutants it reached say so far
        run = total["caught"] + total["survived"] + total["no tests"]
        print(f"of the {run} mutants run so far: {100 * total['caught'] / max(1, run):.1f}%")
    if args.survivors:
        print("\n".join(["", *survivors]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
