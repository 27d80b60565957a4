"""`roen bench`: throughput and latency of roen against a naive baseline, in one run."""
