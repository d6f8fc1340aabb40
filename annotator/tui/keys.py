"""Every key of the annotate, review and adjudicate screens, in one table.

The table is the single source of truth: the screens' and widgets' ``BINDINGS`` are built
from it (:func:`bindings_for`), and so are the help screen (:func:`help_sections`), the
command palette (:data:`PALETTE`) and the check that the README's key tables agree with it
(``tests/test_keys.py``). A key is listed where it is bound: a widget's key that acts on its
screen (``screen.next_suggestion``) is in the widget's tuple. Each binding carries its
:attr:`Key.id`, so a keymap (``App.set_keymap``) can rebind it.

Dialogs (confirm, note, pickers, forms) keep their few keys in their own ``BINDINGS``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding

# How a key is written for people (help, palette, README); any other key as Textual names it.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "delete": "del",
}


@dataclass(frozen=True)
class Key:
    """One action and the keys that run it.

    ``description`` is the help line and the palette title; ``footer`` the short label in
    the footer (shown there when ``show``). ``builtin`` keys are bound by Textual itself
    (the application's command palette, an option list's cursor) and are listed for the
    help screen and README only.
    """

    keys: str
    action: str
    description: str
    footer: str
    id: str
    group: str = ""
    show: bool = True
    key_display: str | None = None
    palette: bool = False
    builtin: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The keys as written for people: ``("j", "down")``; ``J,shift+j`` is just ``J``."""
        names = []
        for key in self.keys.split(","):
            key = key.strip()
            if key.startswith("shift+") and len(key) == len("shift+j"):
                continue  # the terminal's other name for the capital letter
            names.append(KEY_NAMES.get(key, key))
        return tuple(names)

    @property
    def display(self) -> str:
        """``j / down``: the keys as the help screen and the palette show them."""
        return " / ".join(self.names)

    @property
    def screen_action(self) -> str:
        """The action as run on the screen (the palette runs it there)."""
        return self.action.removeprefix("screen.")

    def binding(self) -> Binding:
        """The Textual binding of this key."""
        return Binding(self.keys, self.action, self.footer, show=self.show,
                       key_display=self.key_display, tooltip=self.description, id=self.id)


Section = tuple[str, tuple[Key, ...]]


def _group(title: str, *keys: Key) -> tuple[Key, ...]:
    """``keys`` under the help heading ``title``."""
    return tuple(replace(key, group=title) for key in keys)


def bindings_for(keys: tuple[Key, ...]) -> list[Binding]:
    """The ``BINDINGS`` of a screen or widget: its keys, less those Textual binds itself."""
    return [key.binding() for key in keys if not key.builtin]


def help_sections(keys: tuple[Key, ...]) -> list[Section]:
    """``keys`` by help heading, headings and keys in table order."""
    titles = list(dict.fromkeys(key.group for key in keys))
    return [(title, tuple(key for key in keys if key.group == title)) for title in titles]


# --- the annotation screen ----------------------------------------------------------
ANNOTATE_SCREEN = _group(
    "Moving, marking, history",
    Key("j,down", "next_sentence", "Next sentence", "Next", "annotate.next_sentence",
        palette=True),
    Key("k,up", "previous_sentence", "Previous sentence", "Prev", "annotate.previous_sentence",
        show=False, palette=True),
    Key("J,shift+j", "next_document", "Next document (its first sentence)", "Next doc",
        "annotate.next_document", show=False, key_display="J", palette=True),
    Key("K,shift+k", "previous_document", "Previous document (its first sentence)",
        "Prev doc", "annotate.previous_document", show=False, key_display="K", palette=True),
    Key("n", "next_unfinished", "Next sentence you have not marked done", "Not done",
        "annotate.next_unfinished", palette=True),
    Key("g", "goto", "Go to document 12, sentence 12:5, or search the text", "Go to",
        "annotate.goto", palette=True),
    Key("d", "toggle_done",
        "Mark the sentence done / not done (also when there is nothing to tag)", "Done",
        "annotate.toggle_done", palette=True),
    Key("a", "attribute", "Attribute the claim under the cursor to a source, or to nobody",
        "Attribute", "annotate.attribute", palette=True),
    Key("F,shift+f", "link_figure", "Link the figure under the cursor to the claim it supports",
        "Fig→claim", "annotate.link_figure", key_display="F", palette=True),
    Key("u,ctrl+z", "undo", "Undo the last action (also after a restart)", "Undo",
        "annotate.undo", palette=True),
    Key("ctrl+y", "redo", "Redo the last undone action", "Redo", "annotate.redo", show=False,
        palette=True),
    Key("ctrl+s", "stats", "Statistics: progress and pace per annotator, claims per source",
        "Stats", "annotate.stats", show=False, palette=True),
    Key("question_mark", "help", "Help: this list of keys", "Help", "annotate.help",
        key_display="?", palette=True),
    Key("q", "quit", "Quit (everything is already saved)", "Quit", "annotate.quit",
        palette=True),
)

SENTENCE_PANE = _group(
    "On the sentence (word cursor)",
    Key("left", "cursor_left", "Cursor to the previous word", "Word ←", "sentence.cursor_left",
        show=False),
    Key("right", "cursor_right", "Cursor to the next word", "Word →", "sentence.cursor_right",
        show=False),
    Key("shift+left", "extend_left", "Extend the selection one word to the left", "Extend ←",
        "sentence.extend_left", show=False),
    Key("shift+right", "extend_right", "Extend the selection one word to the right",
        "Extend →", "sentence.extend_right", show=False),
    Key("home", "cursor_first", "Cursor to the first word", "First word",
        "sentence.cursor_first", show=False),
    Key("end", "cursor_last", "Cursor to the last word", "Last word", "sentence.cursor_last",
        show=False),
    Key("shift+home", "extend_first", "Extend the selection to the first word",
        "Extend to first", "sentence.extend_first", show=False),
    Key("shift+end", "extend_last", "Extend the selection to the last word", "Extend to last",
        "sentence.extend_last", show=False),
    Key("escape", "clear_selection", "Clear the selection", "Clear selection",
        "sentence.clear_selection", show=False),
    Key("c", "tag('claim')", "Tag the selection (or word) as a claim", "Claim",
        "sentence.tag_claim", palette=True),
    Key("s", "tag('source')",
        "Tag the selection (or word) as a source, then pick its canonical source", "Source",
        "sentence.tag_source", palette=True),
    Key("f", "tag('figure')", "Tag the selection (or word) as a figure, then check its value",
        "Figure", "sentence.tag_figure", palette=True),
    Key("tab", "screen.next_suggestion",
        "Select the next suggestion (with none, focus the annotation list)", "Next suggestion",
        "sentence.next_suggestion", show=False),
    Key("shift+tab", "screen.previous_suggestion", "Select the previous suggestion",
        "Prev suggestion", "sentence.previous_suggestion", show=False),
    Key("enter", "screen.accept_suggestion", "Accept the suggestion under the cursor",
        "Accept", "sentence.accept_suggestion", show=False),
    Key("x", "screen.reject_suggestion",
        "Reject the suggestion under the cursor (never suggested again)", "Reject",
        "sentence.reject_suggestion", show=False),
    Key("A,shift+a", "screen.accept_all_suggestions",
        "Accept every suggestion of the sentence (one undo step)", "Accept all",
        "sentence.accept_all_suggestions", show=False, key_display="A"),
    Key("l", "screen.focus_list", "Focus the annotation list", "List", "sentence.focus_list",
        show=False),
)

ANNOTATION_LIST = _group(
    "In the annotation list (tab)",
    Key("x,delete", "request('delete')",
        "Delete the annotation (a suggestion is rejected instead)", "Delete", "list.delete"),
    Key("enter", "accept", "Accept the suggestion", "Accept", "list.accept", show=False),
    Key("e", "request('edit')", "Edit its attributes (source, figure value, attribution)",
        "Edit", "list.edit"),
    Key("c", "request('relabel', 'claim')", "Relabel as claim", "→claim", "list.relabel_claim"),
    Key("s", "request('relabel', 'source')", "Relabel as source", "→source",
        "list.relabel_source"),
    Key("f", "request('relabel', 'figure')", "Relabel as figure", "→figure",
        "list.relabel_figure"),
    Key("tab,escape", "screen.focus_sentence", "Back to the sentence", "Sentence",
        "list.focus_sentence"),
    Key("down", "move(1)", "Next annotation", "Down", "list.down", show=False),
    Key("up", "move(-1)", "Previous annotation", "Up", "list.up", show=False),
    Key("home", "move_to(0)", "First annotation", "First", "list.first", show=False),
    Key("end", "move_to(-1)", "Last annotation", "Last", "list.last", show=False),
)

ANNOTATE_ANYWHERE = _group(
    "Anywhere",
    Key("ctrl+p", "command_palette", "Command palette: every action by name", "Palette",
        "app.command_palette", show=False, builtin=True),
)

ANNOTATE = ANNOTATE_SCREEN + SENTENCE_PANE + ANNOTATION_LIST + ANNOTATE_ANYWHERE
"""Every key of the annotation screen and its widgets, as the help screen lists them."""

PALETTE = tuple(key for key in ANNOTATE if key.palette)
"""The command palette's entries: title ``description``, run as ``screen_action``."""

# --- the review screen --------------------------------------------------------------
REVIEW_SCREEN = _group(
    "Deciding and editing",
    Key("y", "decide('accepted')", "Accept (enter too)", "Accept", "review.accept"),
    Key("x,n", "decide('rejected')", "Reject", "Reject", "review.reject"),
    Key("e", "edit", "Edit attributes: canonical source or figure value", "Edit", "review.edit"),
    Key("c", "relabel('claim')", "Relabel as claim", "Claim", "review.relabel_claim",
        show=False),
    Key("s", "relabel('source')", "Relabel as source", "Source", "review.relabel_source",
        show=False),
    Key("f", "relabel('figure')", "Relabel as figure", "Figure", "review.relabel_figure",
        show=False),
    Key("m", "note", "Add or change a note", "Note", "review.note"),
    Key("h", "history", "History of the annotation", "History", "review.history"),
    Key("slash", "filter", "Filter by annotator, label, status, document, text; sort", "Filter",
        "review.filter", key_display="/"),
    Key("o", "cycle_sort", "Next sort order", "Sort", "review.cycle_sort", show=False),
    Key("A,shift+a", "bulk('accepted')", "Accept every row of the filter (asks first)",
        "Accept all", "review.accept_all", key_display="A"),
    Key("R,shift+r", "bulk('rejected')", "Reject every row of the filter (asks first)",
        "Reject all", "review.reject_all", show=False, key_display="R"),
    Key("u,ctrl+z", "undo", "Undo your last decision or edit", "Undo", "review.undo"),
    Key("ctrl+y", "redo", "Redo", "Redo", "review.redo", show=False),
    Key("question_mark", "help", "Help: this list of keys", "Help", "review.help",
        key_display="?"),
    Key("q", "quit", "Quit (everything is already saved)", "Quit", "review.quit"),
)

REVIEW_TABLE = _group(
    "In the table",
    # Enter accepts; a mouse click only moves the cursor (DataTable would "select").
    Key("enter", "accept", "Accept the row", "Accept", "review_table.accept", show=False),
    Key("pagedown,right_square_bracket", "next_page", "Next page of rows", "Next page",
        "review_table.next_page", key_display="]"),
    Key("pageup,left_square_bracket", "previous_page", "Previous page of rows", "Prev page",
        "review_table.previous_page", key_display="["),
)

REVIEW = REVIEW_SCREEN + REVIEW_TABLE
"""Every key of the review screen and its table, as the help screen lists them."""

# --- adjudication -------------------------------------------------------------------
ADJUDICATE_SCREEN = _group(
    "Adjudication",
    Key("j,right", "next_sentence", "Next sentence to adjudicate", "Next",
        "adjudicate.next_sentence"),
    Key("k,left", "previous_sentence", "Previous sentence", "Prev",
        "adjudicate.previous_sentence"),
    Key("t", "take", "Take the highlighted version into gold (enter too)", "Take",
        "adjudicate.take"),
    Key("e", "edit", "Edit the highlighted version's source or figure, then take it",
        "Edit", "adjudicate.edit"),
    Key("E,shift+e", "edit_edges",
        "Edit the highlighted version's edges (its text), then take it", "Edges",
        "adjudicate.edit_edges", key_display="E"),
    Key("x", "reject_both", "Reject every version: gold holds nothing for this span",
        "Neither", "adjudicate.reject_both"),
    Key("a", "take_agreed", "Take every agreed span of this sentence into gold", "Take agreed",
        "adjudicate.take_agreed"),
    Key("A,shift+a", "take_all_agreed",
        "Take every agreed span of the whole corpus into gold (asks first)", "All agreed",
        "adjudicate.take_all_agreed", key_display="A"),
    Key("u,ctrl+z", "undo", "Undo your last take, edit or rejection", "Undo",
        "adjudicate.undo"),
    Key("ctrl+y", "redo", "Redo", "Redo", "adjudicate.redo", show=False),
    Key("question_mark", "help", "Help: this list of keys", "Help", "adjudicate.help",
        key_display="?"),
    Key("q", "quit", "Quit (everything is already saved)", "Quit", "adjudicate.quit"),
)

ADJUDICATE_LIST = _group(
    "In the list",
    # The option list's own keys: up / down highlight, enter selects (the screen takes it).
    Key("up,down", "cursor", "Choose a version", "Choose", "adjudicate_list.choose",
        show=False, builtin=True),
    Key("enter", "select", "Take the version into gold", "Take", "adjudicate_list.take",
        show=False, builtin=True),
)

ADJUDICATE = ADJUDICATE_SCREEN + ADJUDICATE_LIST
"""Every key of the adjudication screen and its list, as the help screen lists them."""
