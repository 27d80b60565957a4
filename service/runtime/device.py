"""Where the translation model runs: `ROEN_DEVICE` auto | cpu | cuda.

auto takes a CUDA device when CTranslate2 sees one, else the CPU. On CUDA the model runs as
`ROEN_CUDA_COMPUTE_TYPE` (int8_float16: int8 weights, float16 activations; converted from
the same int8 folder at load time) and the scheduler's token budget is
`ROEN_CUDA_BATCH_TOKENS`: a card fills its cores with far larger batches than two CPU cores
do, and has the memory for them. The summariser's embedder stays in numpy on the CPU: its
few matrix products per article cost less there than a copy to the card and back.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.errors import ModelLoadFailed
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class Placement:
    device: str  # "cpu" or "cuda"
    compute_type: str
    batch_tokens: int  # the serving scheduler's budget of one batch
    reason: str  # why, for /v1/models and the logs

    @property
    def label(self) -> str:
        return f"{self.compute_type} on {self.device}"


def cuda_devices() -> int:
    """CUDA devices CTranslate2 can use (0 without a driver or a CUDA build)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # no ctranslate2, no driver, a CPU-only build: no device
        return 0


def placement(settings: Settings, devices: int | None = None) -> Placement:
    """Where the model runs, from ROEN_DEVICE and the `devices` seen (looked up if None)."""
    found = cuda_devices() if devices is None else devices
    if settings.device == "cuda" and found == 0:
        raise ModelLoadFailed(
            "ROEN_DEVICE=cuda, but CTranslate2 sees no CUDA device (no GPU, no driver, or a "
            "CPU-only build). Set ROEN_DEVICE=auto or cpu, or run where a GPU is visible."
        )
    if settings.device == "cpu" or found == 0:
        why = "ROEN_DEVICE=cpu" if settings.device == "cpu" else "no CUDA device seen"
        return Placement("cpu", settings.ct2_compute_type, settings.batch_tokens, why)
    why = f"ROEN_DEVICE={settings.device}, {found} CUDA device(s) seen"
    return Placement("cuda", settings.cuda_compute_type, settings.cuda_batch_tokens, why)
