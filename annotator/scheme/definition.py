"""The annotation scheme: labels, source types, reporting cues and known sources, from TOML.

The default scheme ships in ``annotator/scheme/scheme.toml``. A project overrides it with a file
of the same shape (which file is in effect, ``--scheme PATH``, ``$ANNOTATOR_SCHEME`` or
``./annotator-scheme.toml``, is resolved by :mod:`annotator.config`). Every top-level key the
project file gives replaces the default's (``known_sources`` too), so a project can change only
its cue words or only its gazetteer.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_SCHEME_NAME",
    "LABEL_KEYS",
    "KnownSource",
    "Scheme",
    "SchemeError",
    "SourceType",
    "default_scheme",
    "load_scheme",
]

DEFAULT_SCHEME_NAME = "default"
# The database accepts exactly these labels; a scheme may describe them, not rename them.
LABEL_KEYS = ("claim", "source", "figure")
_KEY = re.compile(r"[a-z][a-z0-9_]*\Z")


class SchemeError(ValueError):
    """A scheme file that cannot be read or has the wrong shape; the message names the file."""



@dataclass(frozen=True)
class KnownSource:
    """A canonical source from the registry or the scheme's gazetteer."""

    name: str
    source_type: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceType:
    """A taxonomy entry: the stored key, its description and keywords that propose it."""

    key: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scheme:
    """The loaded taxonomy config."""

    version: str
    labels: tuple[tuple[str, str], ...]  # (label, description) in LABEL_KEYS order
    source_types: tuple[SourceType, ...]
    classify_order: tuple[str, ...]  # source type keys tried first when keywords overlap
    cue_verbs: tuple[str, ...]
    weak_cue_verbs: tuple[str, ...]  # cues only with "that", a quote or at the sentence end
    according_phrases: tuple[str, ...]
    participle_cues: tuple[str, ...]  # ", saying CLAIM" after the main clause
    pronouns: tuple[str, ...]
    known_sources: tuple[KnownSource, ...]
    origin: str  # the file it came from, or "default"

    def source_type_keys(self) -> tuple[str, ...]:
        """The taxonomy keys in display order."""
        return tuple(item.key for item in self.source_types)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the scheme (what ``annotator labels --json`` prints)."""
        return {
            "version": self.version,
            "origin": self.origin,
            "labels": [{"key": key, "description": text} for key, text in self.labels],
            "source_types": [
                {"key": t.key, "description": t.description, "keywords": list(t.keywords)}
                for t in self.source_types
            ],
            "classify_order": list(self.classify_order),
            "cues": {
                "verbs": list(self.cue_verbs),
                "weak_verbs": list(self.weak_cue_verbs),
                "according": list(self.according_phrases),
                "participles": list(self.participle_cues),
                "pronouns": list(self.pronouns),
            },
            "known_sources": [
                {"name": s.name, "type": s.source_type, "aliases": list(s.aliases)}
                for s in self.known_sources
            ],
        }


def _default_data() -> dict[str, Any]:
    text = resources.files("annotator.scheme").joinpath("scheme.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def default_scheme() -> Scheme:
    """The scheme shipped with the package."""
    return _build(_default_data(), DEFAULT_SCHEME_NAME)


def load_scheme(path: str | os.PathLike[str] | None = None) -> Scheme:
    """The default scheme updated with the project file ``path`` (see module docstring);
    the default itself when ``path`` is None."""
    if path is None:
        return default_scheme()
    found = Path(path)
    try:
        override = tomllib.loads(found.read_text("utf-8"))
    except OSError as error:
        raise SchemeError(f"{found}: cannot read scheme file ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SchemeError(f"{found}: not a valid TOML scheme ({error})") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise SchemeError(f"{found}: not a valid TOML scheme (nested too deeply)") from None
    return _build({**_default_data(), **override}, str(found))


# --- validation ---------------------------------------------------------------------------


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise SchemeError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SchemeError(f"{where}: {key!r} must be a table")
    return value


def _array_of_tables(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise SchemeError(f"{where}: {key!r} must be an array of tables ([[{key}]])")
    return value


def _labels(data: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    table = _table(data, "labels", where)
    if set(table) != set(LABEL_KEYS):
        raise SchemeError(f"{where}: [labels] must describe exactly {', '.join(LABEL_KEYS)}")
    for key in LABEL_KEYS:
        if not isinstance(table[key], str):
            raise SchemeError(f"{where}: labels.{key} must be a string")
    return tuple((key, table[key]) for key in LABEL_KEYS)


def _source_types(data: Mapping[str, Any], where: str) -> tuple[SourceType, ...]:
    types: list[SourceType] = []
    for entry in _array_of_tables(data, "source_types", where):
        key, description = entry.get("key"), entry.get("description")
        if not isinstance(key, str) or not _KEY.match(key):
            raise SchemeError(f"{where}: source type key {key!r} must be lower_snake_case")
        if not isinstance(description, str) or not description:
            raise SchemeError(f"{where}: source type {key!r} needs a description")
        keywords = _strings(entry, "keywords", f"{where}: source type {key!r}")
        types.append(SourceType(key, description, tuple(k.lower() for k in keywords)))
    keys = [item.key for item in types]
    if not keys:
        raise SchemeError(f"{where}: at least one [[source_types]] entry is needed")
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise SchemeError(f"{where}: source type {duplicated[0]!r} is defined twice")
    return tuple(types)


def _known_sources(data: Mapping[str, Any], where: str, keys: set[str]) -> tuple[KnownSource, ...]:
    sources: list[KnownSource] = []
    for entry in _array_of_tables(data, "known_sources", where):
        name, kind = entry.get("name"), entry.get("type")
        if not isinstance(name, str) or not name.strip():
            raise SchemeError(f"{where}: every known source needs a name")
        if kind is not None and kind not in keys:
            raise SchemeError(f"{where}: known source {name!r} has unknown type {kind!r}")
        aliases = _strings(entry, "aliases", f"{where}: known source {name!r}")
        sources.append(KnownSource(name, kind, aliases))
    return tuple(sources)


def _build(data: Mapping[str, Any], where: str) -> Scheme:
    version = data.get("version")
    if not isinstance(version, str | int) or isinstance(version, bool):
        raise SchemeError(f"{where}: 'version' must be a string")
    types = _source_types(data, where)
    keys = {item.key for item in types}
    order = _strings(_table(data, "classify", where), "order", f"{where}: [classify]")
    unknown = [key for key in order if key not in keys]
    if unknown:
        raise SchemeError(f"{where}: classify.order names unknown source type {unknown[0]!r}")
    cues = _table(data, "cues", where)
    return Scheme(
        version=str(version),
        labels=_labels(data, where),
        source_types=types,
        classify_order=order + tuple(t.key for t in types if t.key not in order),
        cue_verbs=tuple(v.lower() for v in _strings(cues, "verbs", f"{where}: [cues]")),
        weak_cue_verbs=tuple(v.lower() for v in _strings(cues, "weak_verbs", f"{where}: [cues]")),
        according_phrases=tuple(
            v.lower() for v in _strings(cues, "according", f"{where}: [cues]")
        ),
        participle_cues=tuple(
            v.lower() for v in _strings(cues, "participles", f"{where}: [cues]")
        ),
        pronouns=tuple(v.lower() for v in _strings(cues, "pronouns", f"{where}: [cues]")),
        known_sources=_known_sources(data, where, keys),
        origin=where,
    )
