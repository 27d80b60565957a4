"""Where time goes: a request's stage timings and the engine's stage metrics, emitted where
the work happens (the scheduler, the pipeline) and read at the edge (headers, /metrics).
Ground floor: imports nothing of roen's."""
