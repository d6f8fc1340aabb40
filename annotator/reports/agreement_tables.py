"""An :class:`AgreementReport` as Rich tables for the terminal.

Annotator names are user data: every cell holding one is drawn by ``verbatim`` (never markup,
no control character obeyed: annotator/text/visible.py).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from annotator.reports.agreement import AgreementReport
from annotator.text.visible import verbatim

ITEM_TITLES = {"source_type": "source type", "attribution": "attribution"}


def number(value: float | None) -> str:
    """Three decimals, or an en dash when the metric is undefined."""
    return "–" if value is None else f"{value:.3f}"


def headline(report: AgreementReport) -> Text:
    """Who is compared, and on how many sentences."""
    names = ", ".join(report.annotators)
    plural = "s" * (report.sentences != 1)
    if report.all_sentences:
        return verbatim(f"{names}: {report.sentences} sentence{plural} (all, done or not)")
    return verbatim(f"{names}: {report.sentences} sentence{plural} done by all compared annotators")


def _table(title: str, text_columns: int, *columns: str) -> Table:
    """A table whose first ``text_columns`` columns are text and the rest numbers."""
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        is_text = index < text_columns
        table.add_column(column, justify="left" if is_text else "right", no_wrap=not is_text)
    return table


def span_table(report: AgreementReport) -> Table:
    """Precision, recall and F1 of B against A per pair, label and match."""
    table = _table("Spans: precision, recall, F1 of B against A", 4, "A", "B", "label",
                   "match", "|A|", "|B|", "matched", "P", "R", "F1")
    for score in report.spans:
        table.add_row(verbatim(score.annotator_a), verbatim(score.annotator_b), score.label,
                      score.match,
                      str(score.a_spans), str(score.b_spans), str(score.matched),
                      number(score.precision), number(score.recall), number(score.f1),
                      style="bold" if score.label == "all" else None,
                      end_section=score.label == "all")
    return table


def kappa_table(report: AgreementReport) -> Table:
    """Cohen's kappa per pair on the source type and the attribution of matched spans."""
    table = _table("Matched spans: Cohen's kappa", 3, "item", "A", "B", "matched", "compared",
                   "observed", "kappa")
    for category in report.categories:
        for pair in category.pairs:
            table.add_row(ITEM_TITLES[category.item], verbatim(pair.annotator_a),
                          verbatim(pair.annotator_b), str(pair.matched), str(pair.pairs),
                          number(pair.observed), number(pair.kappa))
    return table


def alpha_table(report: AgreementReport) -> Table:
    """Krippendorff's alpha over all compared annotators."""
    table = _table("Krippendorff's alpha (nominal)", 1, "item", "annotators", "units", "alpha")
    for category in report.categories:
        table.add_row(ITEM_TITLES[category.item], str(len(report.annotators)),
                      str(category.units), number(category.alpha))
    return table


def figure_table(report: AgreementReport) -> Table:
    """Agreement on the values of matched figures."""
    table = _table("Matched figures", 2, "A", "B", "matched", "with values", "value+unit",
                   "qualifier")
    for figures in report.figures:
        table.add_row(verbatim(figures.annotator_a), verbatim(figures.annotator_b),
                      str(figures.matched),
                      str(figures.comparable), number(figures.value_unit),
                      number(figures.qualifier))
    return table


def report_tables(report: AgreementReport) -> list[Table]:
    """The tables that apply to the labels compared, in reading order."""
    tables = [span_table(report)]
    if report.categories:
        tables += [kappa_table(report), alpha_table(report)]
    if report.figures:
        tables.append(figure_table(report))
    return tables
