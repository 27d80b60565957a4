"""Real servers the suite starts on free loopback ports and stops (harness.services): a Redis
server (the replicas' store) and an haproxy (their load balancer). Nothing here is a fake."""

from __future__ import annotations

from harness.services import Haproxy, RedisServer, free_port

__all__ = ["Haproxy", "RedisServer", "free_port"]
