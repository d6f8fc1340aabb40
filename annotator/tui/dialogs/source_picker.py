"""Map a source span to a canonical source: type-ahead over names and aliases, or create one.

The source types offered for a new source and the known sources offered beside the registry's
come from the scheme of whoever edits (``workspace.scheme``: the project's scheme when the
command was given one), never from a list fixed at import.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.scheme.definition import KnownSource
from annotator.scheme.taxonomy import source_types
from annotator.text.bounds import ALIAS_MAX, SOURCE_NAME_MAX, check_string
from annotator.tui.dialogs.editors import SourceEditor
from annotator.tui.render import verbatim
from annotator.tui.writes import dialog_write
from db.read_models import AnnotationView, SourceChoice

NO_TYPE = "(no type)"


@dataclass(frozen=True)
class Choice:
    """One row of the picker: an existing source, a new one to create, or no source."""

    kind: str  # "source", "known" (the scheme's, not in the registry yet), "new" or "clear"
    source: SourceChoice | None = None
    name: str = ""
    known: KnownSource | None = None


def source_row(source: SourceChoice, *, current: bool = False) -> Text:
    """``name (type)  aka alias, alias`` (verbatim)."""
    row = verbatim(source.name, style="bold")
    if source.source_type:
        row.append_text(verbatim(f"  ({source.source_type})", style="cyan"))
    if source.aliases:
        row.append_text(verbatim("  aka " + ", ".join(source.aliases), style="dim"))
    if current:
        row.append("  ← current", style="green")
    return row


def known_row(source: KnownSource) -> Text:
    """``+ known source name (type)  aka alias, alias`` (verbatim): a scheme entry that
    picking adds to the registry."""
    row = Text("+ known source ", style="bold green", end="")
    row.append_text(verbatim(source.name, style="bold"))
    if source.source_type:
        row.append_text(verbatim(f"  ({source.source_type})", style="cyan"))
    if source.aliases:
        row.append_text(verbatim("  aka " + ", ".join(source.aliases), style="dim"))
    return row


def matching_known_sources(
    known: tuple[KnownSource, ...], query: str, registered: set[str]
) -> list[KnownSource]:
    """The scheme's known sources whose name or an alias contains ``query`` (case ignored),
    leaving out those named in ``registered`` (the registry's matches); none for an empty
    query. Picking one the registry has under an alias the scheme lacks finds the registry's
    source by name (``create_source`` returns the existing one)."""
    needle = query.strip().casefold()
    if not needle:
        return []
    return [source for source in known if source.name not in registered
            and any(needle in text.casefold() for text in (source.name, *source.aliases))]


class SourcePickerScreen(ModalScreen[bool]):
    """Returns ``True`` when a canonical source was set, ``False`` when left with escape."""

    BINDINGS = [
        Binding("escape", "back", "Back / keep span without source"),
        Binding("down", "move(1)", "Next choice", show=False),
        Binding("up", "move(-1)", "Previous choice", show=False),
        Binding("ctrl+t", "toggle_alias", "Toggle alias"),
    ]

    def __init__(self, workspace: SourceEditor, annotation: AnnotationView) -> None:
        super().__init__()
        self.workspace = workspace
        self.annotation = annotation
        self.choices: list[Choice] = []
        self.add_alias = False
        self.new_name = ""

    def compose(self) -> ComposeResult:
        title = Text("Canonical source for ", style="bold", end="")
        title.append_text(verbatim(f"“{self.annotation.text}”"))
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Input(value=self.annotation.source_name or self.annotation.text,
                        placeholder="type a name or alias", id="source-query")
            yield OptionList(id="source-choices")
            yield OptionList(
                *(Option(Text.assemble((key, "bold"), f"  {description}"), id=key)
                  for key, description in source_types(self.workspace.scheme)),
                Option(Text(NO_TYPE, style="dim"), id=NO_TYPE),
                id="source-types",
            )
            yield Static(id="source-alias")
            yield Static(id="source-hint", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#source-types", OptionList).display = False
        self._show_alias()
        self._refresh_choices(self.query_one("#source-query", Input).value)
        self._hint("enter picks · ↑/↓ choose · ctrl+t alias · esc keeps the span without source")

    def _hint(self, text: str) -> None:
        self.query_one("#source-hint", Static).update(Text(text, style="dim"))

    def _show_alias(self) -> None:
        mark = "[x]" if self.add_alias else "[ ]"
        line = Text(f"{mark} also record ", end="")
        line.append_text(verbatim(f"“{self.annotation.text}”"))
        line.append(" as an alias of the chosen source (ctrl+t)")
        self.query_one("#source-alias", Static).update(line)

    # --- the name step ------------------------------------------------------------
    @on(Input.Changed, "#source-query")
    def query_changed(self, event: Input.Changed) -> None:
        """Type-ahead: list the sources matching what is typed so far."""
        self._refresh_choices(event.value)

    def _refresh_choices(self, query: str) -> None:
        name = query.strip()
        found = self.workspace.find_sources(name)
        self.choices = [Choice("source", source=source) for source in found]
        registered = {source.name for source in found}
        known = matching_known_sources(self.workspace.scheme.known_sources, name, registered)
        self.choices += [Choice("known", known=source) for source in known]
        if name and not any(source.name == name for source in [*found, *known]):
            self.choices.append(Choice("new", name=name))
        if self.annotation.source_id is not None:
            self.choices.append(Choice("clear"))
        options: list[Option] = []
        highlight = 0
        for index, choice in enumerate(self.choices):
            if choice.kind == "source" and choice.source is not None:
                current = choice.source.id == self.annotation.source_id
                highlight = index if current else highlight
                options.append(Option(source_row(choice.source, current=current)))
            elif choice.kind == "known" and choice.known is not None:
                options.append(Option(known_row(choice.known)))
            elif choice.kind == "new":
                row = Text("+ new source ", style="bold green", end="")
                row.append_text(verbatim(f"“{choice.name}”"))
                row.append(" …", style="dim")
                options.append(Option(row))
            else:
                options.append(Option(Text("✕ no canonical source", style="yellow")))
        choices = self.query_one("#source-choices", OptionList)
        choices.set_options(options)
        if options:
            choices.highlighted = highlight

    def action_move(self, step: int) -> None:
        """Move the highlight in the choices while typing."""
        choices = self.query_one("#source-choices", OptionList)
        if choices.display and self.choices:
            current = choices.highlighted or 0
            choices.highlighted = max(0, min(current + step, len(self.choices) - 1))

    def action_toggle_alias(self) -> None:
        """Switch recording the span text as an alias."""
        self.add_alias = not self.add_alias
        self._show_alias()

    @on(Input.Submitted, "#source-query")
    def query_submitted(self) -> None:
        """Enter picks the highlighted choice."""
        highlighted = self.query_one("#source-choices", OptionList).highlighted
        if highlighted is not None and highlighted < len(self.choices):
            self._pick(self.choices[highlighted])

    @on(OptionList.OptionSelected, "#source-choices")
    def choice_selected(self, event: OptionList.OptionSelected) -> None:
        """A click or enter on the list picks that choice."""
        self._pick(self.choices[event.option_index])

    def _pick(self, choice: Choice) -> None:
        writes = (choice.kind == "clear" or (choice.kind == "source" and choice.source)
                  or (choice.kind == "known" and choice.known))
        if not writes:  # a new name: checked, then its type comes first
            if dialog_write(self, lambda: self._check(choice)):
                self._ask_type(choice.name)
        elif dialog_write(self, lambda: self._apply(choice)):
            self.dismiss(True)

    def _check(self, choice: Choice) -> None:
        """Refuse (``ValueError``, one line) a new name or an alias no column holds the same
        way on both engines, before anything is written."""
        if choice.kind == "new":
            check_string(choice.name, "a source name", SOURCE_NAME_MAX)
        if choice.kind == "known" and choice.known is not None:  # from the scheme file
            check_string(choice.known.name, "the scheme's source name", SOURCE_NAME_MAX)
            for alias in choice.known.aliases:
                check_string(alias, "the scheme's alias", ALIAS_MAX)
        if self.add_alias and choice.kind != "clear":
            check_string(self.annotation.text.strip(), "the alias (the span's text)", ALIAS_MAX)

    def _apply(self, choice: Choice) -> None:
        """The one write of a choice of the list (checked first)."""
        self._check(choice)
        if choice.kind == "clear":
            self.workspace.set_source(self.annotation.id, None)
        elif choice.kind == "source" and choice.source is not None:
            known = {choice.source.name, *choice.source.aliases}
            alias = self.annotation.text.strip()
            if self.add_alias and alias not in known:
                self.workspace.pick_source_with_alias(self.annotation.id, choice.source.id,
                                                      alias)
            else:
                self.workspace.set_source(self.annotation.id, choice.source.id)
        elif choice.kind == "known" and choice.known is not None:
            self._take_known(choice.known)

    def _take_known(self, known: KnownSource) -> None:
        """Add the scheme's known source to the registry (with its type and aliases) and map
        the span to it, in one transaction."""
        text = self.annotation.text.strip()
        extra = (text,) if self.add_alias and text and text not in known.aliases else ()
        aliases = tuple(alias for alias in (*known.aliases, *extra) if alias != known.name)
        self.workspace.create_and_set_source(self.annotation.id, known.name, known.source_type,
                                             aliases)

    # --- the type step (new source) -------------------------------------------------
    def _ask_type(self, name: str) -> None:
        self.new_name = name
        self.query_one("#source-query", Input).display = False
        self.query_one("#source-choices", OptionList).display = False
        types = self.query_one("#source-types", OptionList)
        types.display = True
        types.highlighted = 0
        types.focus()
        title = Text("Source type of new source ", style="bold", end="")
        title.append_text(verbatim(f"“{name}”"))
        self.query_one(".dialog-title", Static).update(title)
        self._hint("enter creates the source · esc goes back to the names")

    @on(OptionList.OptionSelected, "#source-types")
    def type_selected(self, event: OptionList.OptionSelected) -> None:
        """Create the new source with the chosen type and map the span to it."""
        source_type = None if event.option.id == NO_TYPE else event.option.id
        text = self.annotation.text.strip()
        aliases = (text,) if self.add_alias and text and text != self.new_name else ()
        def create() -> None:
            self._check(Choice("new", name=self.new_name))
            self.workspace.create_and_set_source(self.annotation.id, self.new_name,
                                                 source_type, aliases)

        if dialog_write(self, create):
            self.dismiss(True)

    def action_back(self) -> None:
        """From the type step, back to the names; from the names, leave keeping the span."""
        types = self.query_one("#source-types", OptionList)
        if not types.display:
            self.dismiss(False)
            return
        types.display = False
        query = self.query_one("#source-query", Input)
        query.display = True
        self.query_one("#source-choices", OptionList).display = True
        title = Text("Canonical source for ", style="bold", end="")
        title.append_text(verbatim(f"“{self.annotation.text}”"))
        self.query_one(".dialog-title", Static).update(title)
        self._hint("enter picks · ↑/↓ choose · ctrl+t alias · esc keeps the span without source")
        query.focus()
