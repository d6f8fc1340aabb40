"""Adjudication: per sentence, the versions of each span side by side; take one into gold."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.versions import (
    AGREED,
    CONFLICTING,
    ONLY_ONE,
    Difference,
    SpanGroup,
    count_kinds,
)
from annotator.tui import keys
from annotator.tui.dialogs.confirm import ConfirmScreen
from annotator.tui.dialogs.figure_form import FigureFormScreen
from annotator.tui.dialogs.help import HelpScreen, Section
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.dialogs.span_text import SpanTextScreen
from annotator.tui.keys import bindings_for
from annotator.tui.render import badge, figure_summary, label_style, verbatim
from annotator.tui.widgets.span_context import SpanContext
from annotator.tui.writes import WritingScreen, survives_database_loss
from db.read_models import AnnotationView, SpanVersion
from db.values import Figure

KIND_STYLES = {AGREED: "bold green", CONFLICTING: "bold red", ONLY_ONE: "bold yellow"}
NOTHING = "None of these annotators has annotated anything yet."


def version_text(version: SpanVersion, *, in_gold: bool, exact: bool = False) -> Text:
    """``ana  CLAIM  → Hamas  160,000 people  figures “…”  ✓ gold`` (verbatim); with
    ``exact`` the version's own text first (its row's versions differ in their edges)."""
    row = verbatim(f"   {version.annotator:<12} ")
    row.append_text(badge(version.label, version.status))
    if exact:
        row.append_text(verbatim(f"  «{version.text}»"))
    if version.label == "claim":
        row.append_text(verbatim(f"  → {version.attribution_text or 'not attributed'}"))
    elif version.source_name is not None:
        row.append_text(verbatim(f"  = {version.source_name}"))
        if version.source_type:
            row.append_text(verbatim(f" ({version.source_type})", style="dim"))
    if (figure := figure_summary(version.figure)) is not None:
        row.append_text(verbatim("  " + figure))
    if version.linked_text:
        what = "figures" if version.label == "claim" else "supports"
        row.append_text(verbatim(
            f"  {what} " + ", ".join(f"“{text}”" for text in version.linked_text), style="dim"))
    if in_gold:
        row.append("  ✓ in gold", style="bold green")
    return row


def _shown(value: str | Figure | None) -> str:
    if isinstance(value, Figure):
        return figure_summary(value) or "no value"
    return value if value is not None else "none"


def difference_text(difference: Difference) -> str:
    """``source: Hamas (ana) vs Israeli army (bob)``."""
    return f"{difference.field}: " + " vs ".join(
        f"{_shown(value)} ({', '.join(who)})" for value, who in difference.values)


def group_heading(group: SpanGroup) -> Text:
    """The group's kind, its text, what gold holds, and each difference on its own line."""
    heading = Text(f"{group.kind.upper():<12}", style=KIND_STYLES.get(group.kind, "bold"),
                   end="")
    heading.append_text(verbatim(f"“{group.text}”", style="bold"))
    if group.rejected:
        heading.append("  ✕ decided: neither (gold holds nothing)", style="bold green")
    elif group.edited:
        heading.append("  ✎ gold holds an edited version", style="bold green")
    elif group.gold and not group.settled:
        heading.append("  gold has another version", style="dim")
    if group.kind == CONFLICTING:
        for difference in group.described_differences():
            heading.append("\n" + " " * 12)
            heading.append_text(verbatim(difference_text(difference), style="red"))
    return heading


def annotation_view(version: SpanVersion, sentence_id: int) -> AnnotationView:
    """A version as the shared attribute dialogs expect an annotation; a claim's source is
    the one it is attributed to."""
    source = version.source_name
    if version.label == "claim" and version.attribution and \
            version.attribution.startswith("source:"):
        source = version.attribution.removeprefix("source:")
    return AnnotationView(
        id=version.id, sentence_id=sentence_id, label=version.label, start=version.start,
        end=version.end, text=version.text, status=version.status, origin="manual",
        annotator=version.annotator, source_name=source, source_type=version.source_type,
        figure=version.figure,
    )


class AdjudicateScreen(WritingScreen):
    """One sentence at a time; the list holds its groups, each with its versions."""

    BINDINGS = bindings_for(keys.ADJUDICATE_SCREEN)

    def __init__(self, session: AdjudicationSession) -> None:
        super().__init__()
        self.session = session
        self.sentence_id: int | None = None
        self.groups: list[SpanGroup] = []
        # One entry per list row: (group index, version index), or None for a heading.
        self.slots: list[tuple[int, int] | None] = []

    def compose(self) -> ComposeResult:
        yield Static(id="adjudicate-status")
        yield SpanContext(id="adjudicate-context")
        yield OptionList(id="adjudicate-groups")
        yield Footer(compact=True)

    @property
    def options(self) -> OptionList:
        """The list of groups and versions."""
        return self.query_one("#adjudicate-groups", OptionList)

    @survives_database_loss
    def on_mount(self) -> None:
        self.attach_writes(self.session.writes, self.session.database.url)
        self.options.focus()
        self.sentence_id = self.session.first_sentence()
        self.redraw()

    # --- drawing ---------------------------------------------------------------------------
    def redraw(self, keep: int | None = None) -> None:
        """Read the sentence's groups again and show them."""
        if self.sentence_id is None:
            self.query_one(SpanContext).clear_context(NOTHING)
            self._show_status()
            return
        self.groups = self.session.groups(self.sentence_id)
        self.server_back()  # read: a server that was gone is back
        options: list[Option] = []
        self.slots = []
        for number, group in enumerate(self.groups):
            options.append(Option(group_heading(group), disabled=True))
            self.slots.append(None)
            exact = "span" in group.differences()
            for index, version in enumerate(group.versions):
                options.append(Option(version_text(
                    version, in_gold=group.in_gold(version), exact=exact)))
                self.slots.append((number, index))
        self.options.set_options(options)
        selectable = [row for row, slot in enumerate(self.slots) if slot is not None]
        if selectable:
            wanted = keep if keep is not None and keep in selectable else selectable[0]
            self.options.highlighted = wanted
        self._show_status()
        self._show_context()

    def _show_status(self) -> None:
        line = Text("Adjudication", style="bold", end="")
        line.append_text(verbatim(f" · {self.session.adjudicator} · "
                                  f"{' vs '.join(self.session.annotators)}", style="dim"))
        if self.groups:
            counts = count_kinds(self.groups)
            line.append("  ")
            line.append(", ".join(f"{counts[kind]} {kind}" for kind in counts if counts[kind]))
            settled = sum(group.settled for group in self.groups)
            line.append(f" · {settled}/{len(self.groups)} decided", style="dim")
        self.query_one("#adjudicate-status", Static).update(line)

    def _show_context(self) -> None:
        if self.sentence_id is None:
            return
        version = self.highlighted_version
        highlights = [] if version is None else [
            (version[1].start, version[1].end, label_style(version[1].label))]
        self.query_one(SpanContext).show(self.session.context(self.sentence_id), highlights)

    @property
    def highlighted_version(self) -> tuple[SpanGroup, SpanVersion] | None:
        """The group and version under the list highlight."""
        row = self.options.highlighted
        if row is None or row >= len(self.slots) or self.slots[row] is None:
            return None
        number, index = self.slots[row]  # type: ignore[misc]
        group = self.groups[number]
        return group, group.versions[index]

    @on(OptionList.OptionHighlighted, "#adjudicate-groups")
    @survives_database_loss
    def highlighted(self) -> None:
        """The sentence shows the highlighted version's span."""
        self._show_context()

    @on(OptionList.OptionSelected, "#adjudicate-groups")
    @survives_database_loss
    def selected(self) -> None:
        """Enter takes the highlighted version."""
        self.action_take()

    # --- moving -------------------------------------------------------------------------------
    def _move(self, target: int | None, message: str) -> None:
        if target is None:
            self.notify(message, markup=False)
            return
        left, self.sentence_id = self.sentence_id, target
        try:
            self.redraw()
        except Exception:  # not read (the server is gone): still on the sentence shown
            self.sentence_id = left
            raise

    @survives_database_loss
    def action_next_sentence(self) -> None:
        """The next sentence any of the annotators annotated."""
        if self.sentence_id is not None:
            self._move(self.session.next_sentence(self.sentence_id), "This is the last one.")

    @survives_database_loss
    def action_previous_sentence(self) -> None:
        """The previous sentence any of the annotators annotated."""
        if self.sentence_id is not None:
            self._move(self.session.previous_sentence(self.sentence_id),
                       "This is the first one.")

    # --- taking -------------------------------------------------------------------------------
    @survives_database_loss
    def writes_settled(self) -> None:
        """Writes that waited for the database are saved (or refused): draw what is stored."""
        self.redraw(keep=self.options.highlighted)

    @survives_database_loss
    def action_take(self) -> None:
        """Copy the highlighted version into the gold layer."""
        chosen = self.highlighted_version
        if chosen is None:
            return
        group, version = chosen
        if self.perform(lambda: self.session.take(version, group)).done:
            self.redraw(keep=self.options.highlighted)

    @survives_database_loss
    def action_edit(self) -> None:
        """Edit the highlighted version's figure (value, unit, qualifier) or canonical
        source (a claim's: whom it is attributed to) in the shared dialogs; saving takes
        it into gold so changed, leaving takes nothing."""
        chosen = self.highlighted_version
        if chosen is None or self.sentence_id is None:
            return
        group, version = chosen
        editor = self.session.editor(version, group)
        view = annotation_view(version, self.sentence_id)
        dialog: FigureFormScreen | SourcePickerScreen = (
            FigureFormScreen(editor, view) if version.label == "figure"
            else SourcePickerScreen(editor, view))
        self.app.push_screen(dialog, self.guard(self._edited))

    @survives_database_loss
    def action_edit_edges(self) -> None:
        """Edit the highlighted version's edges as its text; saving takes it into gold."""
        chosen = self.highlighted_version
        sentence_id = self.sentence_id
        if chosen is None or sentence_id is None:
            return
        group, version = chosen

        def save(text: str) -> None:
            self.session.take_with_edges(sentence_id, version, group, text)

        sentence = self.session.context(sentence_id).text
        self.app.push_screen(SpanTextScreen(sentence, version.text, save),
                             self.guard(self._edited))

    def _edited(self, saved: bool | None) -> None:
        if saved:
            self.notify("Took the edited version into gold (u undoes).", markup=False)
            self.redraw(keep=self.options.highlighted)

    @survives_database_loss
    def action_reject_both(self) -> None:
        """Decide the highlighted row as "neither": gold holds nothing for it."""
        chosen = self.highlighted_version
        if chosen is None:
            return
        group, _version = chosen
        if self.perform(lambda: self.session.reject_both(group)).done:
            self.notify("Rejected every version: gold holds nothing there (u undoes).",
                        markup=False)
            self.redraw(keep=self.options.highlighted)

    @survives_database_loss
    def action_take_agreed(self) -> None:
        """Take every agreed span of this sentence."""
        outcome = self.perform(lambda: self.session.take_agreed(self.groups))
        if outcome.done and outcome.value is not None:
            taken = outcome.value
            self.notify(f"Took {taken} agreed span{'s' * (taken != 1)} into gold.",
                        markup=False)
            self.redraw(keep=self.options.highlighted)

    def action_take_all_agreed(self) -> None:
        """Take every agreed span of the corpus, after confirmation."""
        question = Text("Take every agreed span of the whole corpus into gold?", style="bold")

        def confirmed(yes: bool | None) -> None:
            if yes:
                outcome = self.perform(self.session.take_all_agreed)
                if outcome.done:
                    self.notify(f"Took {outcome.value:,} agreed spans into gold (u undoes).",
                                markup=False)
                    self.redraw(keep=self.options.highlighted)

        self.app.push_screen(ConfirmScreen(question), self.guard(confirmed))

    def _show_touched(self, touched: int) -> None:
        """Go to the sentence an undo or redo touched."""
        self.sentence_id = touched
        self.redraw(keep=self.options.highlighted)

    @survives_database_loss
    def action_undo(self) -> None:
        """Undo the latest take (also from an earlier session)."""
        self.run_history(self.session.undo, "undo", self._show_touched)

    @survives_database_loss
    def action_redo(self) -> None:
        """Redo the latest undone take."""
        self.run_history(self.session.redo, "redo", self._show_touched)

    def help_sections(self) -> list[Section]:
        """The keys of this screen and its list."""
        return keys.help_sections(keys.ADJUDICATE)

    def action_help(self) -> None:
        """Show every binding."""
        self.app.push_screen(HelpScreen(self.help_sections()))

    def action_quit(self) -> None:
        """Leave (everything is already saved, or is saved first)."""
        self.quit_when_saved()
