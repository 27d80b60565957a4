"""Real processes: `roen serve`, redis-server, haproxy, client libraries, an OTLP receiver."""
