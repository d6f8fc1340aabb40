"""Adjudication: per sentence, the versions of each span side by side; take one into gold."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.versions import AGREED, CONFLICTING, ONLY_ONE, SpanGroup, count_kinds
from annotator.tui import keys
from annotator.tui.dialogs.confirm import ConfirmScreen
from annotator.tui.dialogs.help import HelpScreen, Section
from annotator.tui.keys import bindings_for
from annotator.tui.render import badge, figure_summary, label_style, verbatim
from annotator.tui.widgets.span_context import SpanContext
from annotator.tui.writes import WritingScreen, survives_database_loss
from db.read_models import SpanVersion

KIND_STYLES = {AGREED: "bold green", CONFLICTING: "bold red", ONLY_ONE: "bold yellow"}
NOTHING = "None of these annotators has annotated anything yet."


def version_text(version: SpanVersion, *, in_gold: bool) -> Text:
    """``ana  CLAIM  = Hamas (type)  160,000 people  ✓ gold`` (verbatim)."""
    row = verbatim(f"   {version.annotator:<12} ")
    row.append_text(badge(version.label, version.status))
    if version.source_name is not None:
        row.append_text(verbatim(f"  = {version.source_name}"))
        if version.source_type:
            row.append_text(verbatim(f" ({version.source_type})", style="dim"))
    if (figure := figure_summary(version.figure)) is not None:
        row.append_text(verbatim("  " + figure))
    if in_gold:
        row.append("  ✓ in gold", style="bold green")
    return row


def group_heading(group: SpanGroup) -> Text:
    """The group's kind, its text, and what differs."""
    heading = Text(f"{group.kind.upper():<12}", style=KIND_STYLES.get(group.kind, "bold"),
                   end="")
    heading.append_text(verbatim(f"“{group.text}”", style="bold"))
    if group.kind == CONFLICTING:
        heading.append(f"  differs in {', '.join(group.differences())}", style="red")
    if group.gold and not group.settled:
        heading.append("  gold has another version", style="dim")
    return heading


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
            for index, version in enumerate(group.versions):
                options.append(Option(version_text(version, in_gold=group.in_gold(version))))
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
            line.append(f" · {settled}/{len(self.groups)} in gold", style="dim")
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
