"""The runtime room: the scheduler, the backends that run a model, decoding limits.

Only this room, `service.models` and `service.summarize` may import torch, transformers or
ctranslate2 (tests/unit/test_architecture.py checks the import graph).
"""
