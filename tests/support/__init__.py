"""What the tests share: fakes, the tiny checkpoints, timing, document builders and the
checks more than one test file makes. The processes and fakes that scripts and benchmarks
use too live in `harness`; the modules here re-export what the tests take from it."""
