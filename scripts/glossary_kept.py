"""Are a glossary's terms kept verbatim on a real server and model? Makes the benchmark's
1,000-entry glossary (the data's most frequent names and institutions) on a running roen,
translates whole WMT newsdev articles with it, and counts, segment by segment, each applied
entry's English in the English and each protected span of the source (links, e-mail,
@mentions, #hashtags, emoji) in the English. Prints the shares kept; both must be 100 %.

    .venv/bin/python scripts/glossary_kept.py http://127.0.0.1:8000 [--articles 40] [--key K]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workloads import SHARED_DATA, glossary_entries, sgm_articles
from service.terms.protect import Protector

# Spans every news text may hold, added to each article so that protection is counted too.
EXTRA = " Detalii pe https://www.gov.ro/comunicat, la presa@gov.ro sau @guvernul #buget 🎉."


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", help="the server, e.g. http://127.0.0.1:8000")
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--key", help="an API key, if the server has keys")
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    args = ap.parse_args()
    wmt = args.data / "wmt16"
    headers = {"Authorization": f"Bearer {args.key}"} if args.key else {}
    http = httpx.Client(base_url=args.base, headers=headers, timeout=600)
    tsv = glossary_entries([wmt / "newstest2016.ro", wmt / "newsdev2016.ro"])
    made = http.post(
        "/v2/glossaries",
        json={"name": "kept-check", "source_lang": "ro", "target_lang": "en", "entries": tsv},
    )
    made.raise_for_status()
    gid = made.json()["glossary_id"]
    terms = kept_terms = spans = kept_spans = moved = segments = 0
    protector = Protector()
    try:
        for article in sgm_articles(wmt / "newsdev2016-roen-src.ro.sgm")[: args.articles]:
            body = {
                "text": article + EXTRA,
                "glossary_id": gid,
                "include_segments": True,
                "beam_size": 1,
            }
            r = http.post("/v1/translate", json=body)
            r.raise_for_status()
            for seg in r.json()["segments"]:
                segments += 1
                moved += "term_position" in seg["warnings"]
                wanted = Counter(t["english"] for t in seg["terms"])
                for english, n in wanted.items():
                    terms += n
                    kept_terms += min(n, seg["translation"].count(english))
                for p in protector.find(seg["source"]):
                    span = seg["source"][p.start : p.end]
                    spans += 1
                    kept_spans += span in seg["translation"]
    finally:
        http.delete(f"/v2/glossaries/{gid}")
    print(
        f"{segments} segments: glossary terms applied {terms}, kept verbatim {kept_terms} "
        f"({100 * kept_terms / max(1, terms):.1f} %); protected spans {spans}, kept byte for "
        f"byte {kept_spans} ({100 * kept_spans / max(1, spans):.1f} %); segments placing one "
        f"by position (term_position) {moved}"
    )
    return 0 if kept_terms == terms and kept_spans == spans else 1


if __name__ == "__main__":
    raise SystemExit(main())
