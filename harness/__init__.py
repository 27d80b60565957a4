"""Processes and fakes shared by tests, scripts and benchmarks; not shipped.

`live_server` and `services` start real processes on loopback (`roen serve`, redis-server,
haproxy); `fakes` are engines that satisfy the runtime's contracts without a model. Nothing
here imports `tests`; the package is left out of the wheel (pyproject.toml packages only
`service`)."""
