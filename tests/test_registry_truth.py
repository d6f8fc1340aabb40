"""The registry says what people chose (issue 15 item 6, issue 16): a source only an accepted
suggestion registered leaves every picker, export and merge once nothing accepted uses it,
consistently through undo; on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.scheme.definition import KnownSource, Scheme, default_scheme
from annotator.suggest.live import LiveRegistry
from annotator.suggest.sources import SourceMemory, SourceNamer
from annotator.suggest.store import known_sources
from annotator.workspace import Workspace
from db.document_records import iter_source_records
from db.engine import Database
from db.models import Annotation, Source
from db.read_models import SourceChoice
from db.sources import BY_SUGGESTION, register_source
from db.suggestions import ProposedSpan, store_suggestions

SENTENCE_1 = "Al-Qanoua said talks go on."
SENTENCE_2 = "Al-Qanoua added that the crossings stay shut."
SENTENCE_3 = "He said aid was waiting."
TEXT = f"{SENTENCE_1}\n{SENTENCE_2}\n{SENTENCE_3}\n"
PROPOSED = "Al-Qanoua"


def _at(sentence: str, part: str) -> tuple[int, int]:
    start = sentence.index(part)
    return start, start + len(part)


def _source(index: int, sentence: str, text: str = PROPOSED,
            name: str = PROPOSED) -> ProposedSpan:
    return ProposedSpan(index, "source", *_at(sentence, text), source_name=name,
                        source_type="party_or_armed_group", attrs={"reason": "cue 'said'"})


PROPOSALS = [_source(0, SENTENCE_1), _source(1, SENTENCE_2)]


@pytest.fixture
def imported(database: Database, tmp_path: Path) -> Database:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    import_paths(database, [tmp_path / "a.txt"])
    return database


def _span(database: Database, position: int, annotator: str = "ana") -> int:
    """The id of the annotator's ``position``-th source span in the document."""
    annotator_id = Workspace(database, annotator).annotator_id
    with database.sessions() as session:
        return int(session.scalars(
            select(Annotation.id).where(Annotation.label == "source",
                                        Annotation.annotator_id == annotator_id)
            .order_by(Annotation.doc_start)).all()[position])


def _names(workspace: Workspace, query: str = "") -> list[str]:
    return [choice.name for choice in workspace.find_sources(query)]


def _seen(database: Database) -> dict[str, set[str]]:
    """Where the registry shows: the picker, the suggester, a merge, the sources view."""
    result = CliRunner().invoke(cli, ["export", "--db", database.url, "--view", "sources"])
    assert result.exit_code == 0, result.output
    return {
        "picker": {choice.name for choice in Workspace(database, "ana").find_sources("")},
        "suggester": {known.name for known in known_sources(database)},
        "merge": {record.name for record in iter_source_records(database)},
        "export": {line.split(",")[1] for line in result.stdout.splitlines()[1:]},
    }


def _everywhere(names: set[str]) -> dict[str, set[str]]:
    return {place: names for place in ("picker", "suggester", "merge", "export")}


def test_a_proposal_remapped_elsewhere_leaves_the_registry_and_undo_brings_it_back(
    imported: Database,
) -> None:
    ana = Workspace(imported, "ana")
    store_suggestions(imported, ana.annotator_id, 1, PROPOSALS)
    first = _span(imported, 0)
    assert ana.accept([first]) == 1
    assert _seen(imported) == _everywhere({PROPOSED})  # accepted and used: registered
    # The annotator maps the span to the source they mean, created in the picker.
    ana.create_and_set_source(first, "Hamas spokesperson (Abdul Latif Al-Qanoua)",
                              "party_or_armed_group", (PROPOSED,))
    assert _seen(imported) == _everywhere({"Hamas spokesperson (Abdul Latif Al-Qanoua)"})
    assert _names(ana, "Qanoua") == ["Hamas spokesperson (Abdul Latif Al-Qanoua)"]
    # Undo of the remap: the span is the proposal's again, and so is the registry.
    assert ana.undo() is not None
    assert _seen(imported) == _everywhere(
        {PROPOSED, "Hamas spokesperson (Abdul Latif Al-Qanoua)"})
    assert ana.undo() is not None  # the acceptance: nothing accepted uses the proposal
    assert _seen(imported) == _everywhere({"Hamas spokesperson (Abdul Latif Al-Qanoua)"})
    assert ana.redo() is not None
    assert PROPOSED in _seen(imported)["picker"]


def test_an_undone_or_rejected_acceptance_leaves_nothing_in_the_registry(
    imported: Database,
) -> None:
    ana = Workspace(imported, "ana")
    store_suggestions(imported, ana.annotator_id, 1, PROPOSALS)
    first, second = _span(imported, 0), _span(imported, 1)
    ana.accept([first])
    ana.undo()
    assert _seen(imported) == _everywhere(set())
    ana.reject([first, second])
    assert _seen(imported) == _everywhere(set())
    with imported.sessions() as session:  # kept, for a later acceptance to reuse
        assert session.scalar(select(Source.origin).where(Source.name == PROPOSED)) \
            == BY_SUGGESTION


def test_a_proposal_stays_while_another_accepted_span_uses_it(imported: Database) -> None:
    ana, ben = Workspace(imported, "ana"), Workspace(imported, "ben")
    store_suggestions(imported, ana.annotator_id, 1, PROPOSALS)
    store_suggestions(imported, ben.annotator_id, 1, PROPOSALS)
    ana.accept([_span(imported, 0)])
    ben_span = _span(imported, 0, "ben")
    ben.accept([ben_span])
    other = ana.create_source("Hamas", "party_or_armed_group")
    ana.set_source(_span(imported, 0), other)
    assert PROPOSED in _seen(imported)["picker"]  # ben's accepted span still uses it
    ben.set_source(ben_span, other)
    assert PROPOSED not in _seen(imported)["picker"]


def test_a_person_picking_the_proposal_keeps_it_and_undo_of_the_pick_does_not(
    imported: Database,
) -> None:
    ana = Workspace(imported, "ana")
    store_suggestions(imported, ana.annotator_id, 1, PROPOSALS)
    first, second = _span(imported, 0), _span(imported, 1)
    ana.accept([first])
    proposal = next(c.id for c in ana.find_sources(PROPOSED))
    ana.accept([second])
    other = ana.create_source("Hamas", "party_or_armed_group")
    ana.set_source(second, other)
    ana.set_source(second, proposal)  # picked by the annotator: theirs now
    ana.set_source(first, other)
    ana.set_source(second, other)
    assert PROPOSED in _seen(imported)["picker"]  # unused, but a person chose it
    ana.undo()  # second -> proposal again
    ana.undo()  # first -> proposal again
    ana.undo()  # the pick undone: second back on "Hamas", the proposal a suggestion's again
    ana.set_source(first, other)
    assert PROPOSED not in _seen(imported)["picker"]


def test_creating_the_proposed_name_in_the_picker_makes_it_a_persons(
    imported: Database,
) -> None:
    ana = Workspace(imported, "ana")
    store_suggestions(imported, ana.annotator_id, 1, PROPOSALS)
    ana.accept([_span(imported, 0)])
    ana.undo()  # hidden again
    assert _names(ana, PROPOSED) == []
    ana.create_source(PROPOSED, "party_or_armed_group")  # "+ new source" of the same name
    assert _seen(imported) == _everywhere({PROPOSED})


def test_aliases_of_a_hidden_source_match_nothing(imported: Database) -> None:
    with imported.transaction() as session:
        register_source(session, "Abdul Latif Al-Qanoua", None, ("Qanoua spokesman",),
                        origin=BY_SUGGESTION)
    ana = Workspace(imported, "ana")
    assert _names(ana, "spokesman") == [] and _names(ana, "Latif") == []
    assert _seen(imported) == _everywhere(set())
    # An alias a person adds makes the source theirs: it shows, with its aliases.
    source_id = None
    with imported.sessions() as session:
        source_id = session.scalar(select(Source.id))
    assert source_id is not None
    ana.add_alias(source_id, "Al-Qanoua")
    assert _names(ana, "spokesman") == ["Abdul Latif Al-Qanoua"]


# --- pending suggestions follow the live registry (issue 16) ------------------------------
TEAM_SOURCE = "Hamas spokesperson (Abdul Latif Al-Qanoua)"
HE = ProposedSpan(2, "source", *_at(SENTENCE_3, "He"), source_name=PROPOSED,
                  source_type="party_or_armed_group", attrs={"resolved": True})
NAMED_CLAIM = ProposedSpan(2, "claim", *_at(SENTENCE_3, "aid was waiting"),
                           resolved_source=PROPOSED)


def _suggesting(database: Database, annotator: str) -> Workspace:
    workspace = Workspace(database, annotator, suggestions=True)
    store_suggestions(database, workspace.annotator_id, 1, [*PROPOSALS, HE])
    return workspace


def _shown(workspace: Workspace, position: int) -> tuple[str | None, tuple[str, str | None]
                                                         | None]:
    """The source name and the "(type, new)" proposal the list shows for the annotator's
    ``position``-th suggested source span."""
    span_id = _span(workspace.database, position, workspace.annotator)
    with workspace.database.sessions() as session:
        sentence_id = session.scalar(select(Annotation.sentence_id)
                                     .where(Annotation.id == span_id))
    assert sentence_id is not None
    shown = next(a for a in workspace.view(sentence_id).annotations if a.id == span_id)
    return shown.source_name, shown.proposed_source


def _mapped(database: Database, annotation_id: int) -> str | None:
    with database.sessions() as session:
        return session.scalar(select(Source.name).join(
            Annotation, Annotation.source_id == Source.id).where(Annotation.id == annotation_id))


def test_a_source_created_mid_document_is_what_later_suggestions_show_and_accept(
    imported: Database,
) -> None:
    ana, ben = _suggesting(imported, "ana"), _suggesting(imported, "ben")
    assert _shown(ana, 1) == (None, (PROPOSED, "party_or_armed_group"))
    # Sentence 1: ana maps the span to the source she means, recording the alias.
    first = _span(imported, 0)
    ana.create_and_set_source(first, TEAM_SOURCE, "party_or_armed_group", (PROPOSED,))
    # Sentence 2's suggestion, computed before, now shows and accepts the new mapping.
    assert _shown(ana, 1) == (TEAM_SOURCE, None)
    second = _span(imported, 1)
    assert ana.accept([second]) == 1
    assert _mapped(imported, second) == TEAM_SOURCE
    # "He", resolved to the proposal's name when computed, follows it too (A: all at once).
    assert _shown(ana, 2) == (TEAM_SOURCE, None)
    assert ana.accept([_span(imported, 2)]) == 1
    assert _mapped(imported, _span(imported, 2)) == TEAM_SOURCE
    # Another annotator's suggestions, computed with the old registry, go to the same source.
    assert _shown(ben, 0) == (TEAM_SOURCE, None)
    ben_spans = [_span(imported, position, "ben") for position in range(3)]
    assert ben.accept(ben_spans) == 3
    assert {_mapped(imported, span) for span in ben_spans} == {TEAM_SOURCE}
    assert PROPOSED not in _seen(imported)["picker"]  # nothing registered the old proposal


def test_an_alias_added_mid_document_is_what_later_suggestions_accept(
    imported: Database,
) -> None:
    ana = _suggesting(imported, "ana")
    hamas = ana.create_source("Hamas", "party_or_armed_group")
    assert _shown(ana, 0) == (None, (PROPOSED, "party_or_armed_group"))
    ana.add_alias(hamas, PROPOSED)
    assert _shown(ana, 0) == ("Hamas", None)
    # Tagging the suggested span yourself accepts it the same way.
    with imported.sessions() as session:
        row = session.get(Annotation, _span(imported, 0))
        assert row is not None
        sentence_id, start, end = row.sentence_id, row.start, row.end
    tagged = ana.tag(sentence_id, "source", start, end)
    assert tagged == _span(imported, 0) and _mapped(imported, tagged) == "Hamas"


def test_a_claim_named_only_follows_the_live_registry(imported: Database) -> None:
    ana = Workspace(imported, "ana", suggestions=True)
    store_suggestions(imported, ana.annotator_id, 1, [NAMED_CLAIM])
    with imported.sessions() as session:
        claim = session.scalar(select(Annotation).where(Annotation.label == "claim"))
        assert claim is not None
        claim_id, sentence_id = claim.id, claim.sentence_id
    shown = next(a for a in ana.view(sentence_id).annotations if a.id == claim_id)
    assert (shown.source_name, shown.proposed_source) == (None, (PROPOSED, None))
    ana.create_source(TEAM_SOURCE, "party_or_armed_group", (PROPOSED,))
    shown = next(a for a in ana.view(sentence_id).annotations if a.id == claim_id)
    assert (shown.source_name, shown.proposed_source) == (TEAM_SOURCE, None)
    ana.accept([claim_id])
    assert _mapped(imported, claim_id) == TEAM_SOURCE


def test_without_a_match_the_proposal_is_kept(imported: Database) -> None:
    ana = _suggesting(imported, "ana")
    ana.create_source("Egypt's State Information Service", "government", ("SIS",))
    assert _shown(ana, 0) == (None, (PROPOSED, "party_or_armed_group"))
    ana.accept([_span(imported, 0)])
    assert _mapped(imported, _span(imported, 0)) == PROPOSED


# --- any sequence of actions, undone, leaves the registry as it was -----------------------
ACTIONS = st.lists(st.tuples(
    st.sampled_from(["accept", "reject", "remap", "pick", "create", "alias", "undo", "redo"]),
    st.integers(0, 1)), min_size=1, max_size=10)


def _registry_state(database: Database) -> tuple[set[str], dict[str, str]]:
    with database.sessions() as session:
        origins = {name: origin for name, origin in session.execute(
            select(Source.name, Source.origin))}
    return _seen(database)["picker"], origins


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ACTIONS)
def test_undoing_every_action_puts_the_registry_back(
    imported: Database, actions: list[tuple[str, int]],
) -> None:
    ana = Workspace(imported, "ana", suggestions=True)
    if not _span_ids(imported):
        store_suggestions(imported, ana.annotator_id, 1, PROPOSALS)
        ana.create_source("Hamas", "party_or_armed_group")
    spans = _span_ids(imported)
    hamas = next(choice.id for choice in ana.find_sources("Hamas"))
    before = _registry_state(imported)
    done = 0
    for action, which in actions:
        span = spans[which]
        try:
            if action == "accept":
                ana.accept([span])
            elif action == "reject":
                ana.reject([span])
            elif action == "remap":
                ana.set_source(span, hamas)
            elif action == "pick":
                proposal = ana.find_sources(PROPOSED)
                if proposal:
                    ana.set_source(span, proposal[0].id)
            elif action == "create":
                ana.create_and_set_source(span, TEAM_SOURCE, None, (PROPOSED,))
            elif action == "alias":
                ana.pick_source_with_alias(span, hamas, f"alias {which}")
            elif action == "undo":
                ana.undo()
            else:
                ana.redo()
        except ValueError:
            continue
        shown, origins = _registry_state(imported)
        # What is shown is exactly what people chose or an accepted annotation uses.
        with imported.sessions() as session:
            used = set(session.scalars(select(Source.name).join(
                Annotation, Annotation.source_id == Source.id)
                .where(Annotation.status == "accepted")))
        assert shown == {name for name, origin in origins.items() if origin == "annotator"} | used
        done += 1
    while ana.undo() is not None:
        pass
    shown, origins = _registry_state(imported)
    # Sources stay once made (the registry is shared), but none made by a person's action
    # that was undone shows unless a person's action outside this sequence made it.
    assert {name: origins[name] for name in before[1]} == before[1]
    assert shown - before[0] <= {TEAM_SOURCE}  # a source created by hand stays, as ever


def _span_ids(database: Database) -> list[int]:
    with database.sessions() as session:
        return [int(i) for i in session.scalars(
            select(Annotation.id).where(Annotation.label == "source")
            .order_by(Annotation.doc_start))]


# --- the live registry matches as the suggester's namer over the whole registry does -------
WORDS = ["Hamas", "spokesperson", "Al-Qanoua", "Abdul", "Latif", "ministry", "the", "WHO",
         "who", "Egypt's", "foreign", "OCHA", "said", "officials", "Gaza", "he", "UN"]


def _reference(scheme: Scheme, registry: list[SourceChoice], label: str, text: str,
               proposed: str | None) -> str | None:
    """What resolving against one namer compiled over the whole registry gives."""
    namer = SourceNamer(scheme, [KnownSource(c.name, c.source_type, c.aliases)
                                 for c in registry])
    by_name = {c.name: c for c in registry}

    def registered(name: str) -> str | None:
        known = namer.aliases.get(name)
        return None if known is None else by_name[known.name].name

    if label == "source" and text.strip().lower() not in namer.pronouns:
        found = registered(namer.name(text, (0, len(text)), SourceMemory()).name)
        if found is not None:
            return found
    return registered(proposed) if proposed else None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
                          st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
                                   max_size=2)), max_size=6),
       st.lists(st.sampled_from(WORDS), min_size=1, max_size=5),
       st.sampled_from(["source", "claim"]),
       st.none() | st.lists(st.sampled_from(WORDS), min_size=1, max_size=2))
def test_the_live_registry_resolves_as_the_whole_registrys_namer(
    sources: list[tuple[list[str], list[list[str]]]], words: list[str], label: str,
    proposed: list[str] | None,
) -> None:
    scheme = default_scheme()
    registry: list[SourceChoice] = []
    for position, (name, aliases) in enumerate(sources):
        full = " ".join(name)
        if full not in {c.name for c in registry}:
            registry.append(SourceChoice(position + 1, full, "government",
                                         tuple(" ".join(a) for a in aliases)))
    text = " ".join(words)
    wanted = " ".join(proposed) if proposed else None
    found = LiveRegistry(scheme, registry).resolve(label, text, wanted)
    assert (found.name if found else None) == _reference(scheme, registry, label, text, wanted)
