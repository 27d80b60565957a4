"""Names of what handlers receive by dependency injection (provided in `create_app`): each
collaborator by its own name, or all of them as `services` (a handler that needs several)."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Services:
    """What the app's handlers work with, made once in `create_app`."""

    pipeline: Pipeline
    settings: Settings
    access: Access
    downloads: Downloads
    glossaries: GlossaryBook


ServicesDep = NamedDependency[Services]
