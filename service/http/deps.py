"""Names of what handlers receive by dependency injection (provided in `create_app`)."""

from __future__ import annotations

from litestar.di import NamedDependency

from service.http.access import Access
from service.http.downloads import Downloads
from service.pipeline.pipeline import Pipeline
from service.settings import Settings
from service.terms.book import GlossaryBook

PipelineDep = NamedDependency[Pipeline]
SettingsDep = NamedDependency[Settings]
AccessDep = NamedDependency[Access]
DownloadsDep = NamedDependency[Downloads]
GlossariesDep = NamedDependency[GlossaryBook]
