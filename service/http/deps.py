"""Names of what handlers receive by dependency injection (provided in `create_app`)."""

from __future__ import annotations

from litestar.di import NamedDependency

from service.engine.registry import Engines
from service.http.gate import EngineGate
from service.settings import Settings

EnginesDep = NamedDependency[Engines]
GateDep = NamedDependency[EngineGate]
SettingsDep = NamedDependency[Settings]
