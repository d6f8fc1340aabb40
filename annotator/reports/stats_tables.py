"""A :class:`StatsReport` as Rich tables with bar charts, for the terminal and the TUI.

Names of annotators and sources are user data: cells holding them are drawn by ``verbatim``
(never markup, no control character obeyed: annotator/text/visible.py).
"""

from __future__ import annotations

from datetime import timedelta

from rich.console import JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.reports.stats import StatsReport
from annotator.text.visible import verbatim
from db.models import LABELS

BAR_WIDTH = 12
TOP_SOURCES = 20
# Eighths of a block, so short bars still differ.
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, maximum: float, width: int = BAR_WIDTH, style: str = "cyan") -> Text:
    """A horizontal bar ``value / maximum`` of ``width`` cells (empty when ``maximum`` is 0)."""
    if maximum <= 0 or value <= 0:
        return verbatim("")
    eighths = round(min(value / maximum, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return verbatim("█" * full + (_EIGHTHS[part] if part else ""), style=style)


def duration(seconds: float) -> str:
    """``1 h 05 min``, ``12 min``, ``40 s``."""
    total = int(timedelta(seconds=seconds).total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min" if minutes else f"{secs} s"


def label_table(report: StatsReport) -> Table:
    """Annotations per label, with a total."""
    table = Table("label", "annotations", title="Annotations per label", title_justify="left")
    for label in LABELS:
        table.add_row(label, str(report.by_label.get(label, 0)))
    table.add_row("total", str(sum(report.by_label.values())), style="bold")
    return table


def annotator_table(report: StatsReport) -> Table:
    """Per annotator: sentences done (with a bar), annotations per label, pace."""
    table = Table(title="Annotators", title_justify="left")
    table.add_column("annotator", min_width=9, overflow="fold")
    table.add_column("done", justify="right")
    table.add_column("", width=BAR_WIDTH // 2, no_wrap=True)  # done, as a bar
    for label in LABELS:
        table.add_column(label, justify="right")
    for column in ("total", "active", "per h"):
        table.add_column(column, justify="right", no_wrap=True)
    most_done = max((person.sentences_done for person in report.annotators), default=0)
    for person in report.annotators:
        table.add_row(
            verbatim(person.name), str(person.sentences_done),
            bar(person.sentences_done, most_done, BAR_WIDTH // 2),
            *(str(person.annotations.get(label, 0)) for label in LABELS),
            str(sum(person.annotations.values())), duration(person.active_seconds),
            "–" if person.per_hour is None else f"{person.per_hour:.1f}",
        )
    return table


def _usage_columns(table: Table, second: str, justify: JustifyMethod) -> None:
    """The columns after the first of the source and type tables: claims, figures, bars."""
    table.add_column(second, justify=justify, overflow="fold")
    table.add_column("claims", justify="right")
    table.add_column("", width=BAR_WIDTH, no_wrap=True)
    table.add_column("figures", justify="right")
    table.add_column(" ", width=BAR_WIDTH, no_wrap=True)


def source_table(report: StatsReport, limit: int = TOP_SOURCES) -> Table:
    """The most cited canonical sources: claims attributed and figures cited, as bars."""
    shown = report.sources[:limit]
    hidden = len(report.sources) - len(shown)
    caption = f"and {hidden} more source{'s' * (hidden != 1)}" if hidden > 0 else None
    table = Table(title="Canonical sources", title_justify="left", caption=caption,
                  caption_justify="left")
    table.add_column("source", overflow="fold")
    _usage_columns(table, "type", "left")
    most_claims = max((source.claims for source in shown), default=0)
    most_figures = max((source.figures for source in shown), default=0)
    for source in shown:
        table.add_row(verbatim(source.name), verbatim(source.source_type or "–"),
                      str(source.claims),
                      bar(source.claims, most_claims), str(source.figures),
                      bar(source.figures, most_figures, style="magenta"))
    return table


def type_table(report: StatsReport) -> Table:
    """Claims and figures per source type, as bars."""
    table = Table(title="Source types", title_justify="left")
    table.add_column("type", overflow="fold")
    _usage_columns(table, "sources", "right")
    most_claims = max((kind.claims for kind in report.types), default=0)
    most_figures = max((kind.figures for kind in report.types), default=0)
    for kind in report.types:
        table.add_row(verbatim(kind.source_type or "(no type)"), str(kind.sources),
                      str(kind.claims),
                      bar(kind.claims, most_claims), str(kind.figures),
                      bar(kind.figures, most_figures, style="magenta"))
    return table


def stats_renderables(report: StatsReport) -> list[RenderableType]:
    """The whole stats view, top to bottom; empty sections are left out."""
    parts: list[RenderableType] = [
        verbatim(f"documents: {report.documents}"),
        verbatim(f"sentences: {report.sentences}"),
        label_table(report),
    ]
    if report.annotators:
        parts.append(annotator_table(report))
    if report.sources:
        parts += [source_table(report), type_table(report)]
    return parts
