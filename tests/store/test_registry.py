"""A user's registry of known people (``sayso speakers import``): its entries become the
archive's speakers, their aliases join them at later ingests, and the user's own merges
and splits stay where the user put them."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from sayso import store as st
from sayso.readers.registry import RegistryError, read_registry
from sayso.records import KnownSpeaker
from sayso.store.registry import import_registry
from sayso.store.schema import speakers, statements

from .helpers import article, speaker, stmt, store

JENS = KnownSpeaker("Jens Stoltenberg", aliases=("Stoltenberg", "J. Stoltenberg"),
                    roles=("NATO Secretary General",), organization="NATO", wikidata="Q57269")


def speaker_of(engine, statement_id: str) -> str | None:
    with engine.connect() as c:
        return c.execute(sa.select(statements.c.speaker_id).where(statements.c.id == statement_id)).scalar()


def imported(engine, *entries: KnownSpeaker):
    with engine.begin() as c:
        return import_registry(c, entries)


def test_a_registered_alias_joins_the_person_even_with_a_namesake_stored(engine):
    thorvald = speaker("Thorvald Stoltenberg", country="Norway")
    store(engine, article("a1", stmt("s1", "Norway will always talk to its neighbours", thorvald)))
    imported(engine, JENS)
    # without the registry a bare surname with two Stoltenbergs stays a speaker of its own
    store(engine, article("a2", stmt("s1", "There is no way back to the old relations", speaker("Stoltenberg"))))
    assert speaker_of(engine, "a2#s1") == "jens-stoltenberg"
    assert speaker_of(engine, "a1#s1") == "thorvald-stoltenberg"
    with engine.connect() as c:
        row = c.execute(sa.select(speakers).where(speakers.c.id == "jens-stoltenberg")).one()
    assert row.registered and row.wikidata == "Q57269" and row.organization == "NATO"
    assert row.descriptors[0] == "NATO Secretary General"


def test_importing_folds_in_a_speaker_stored_under_an_alias_and_is_idempotent(engine):
    store(engine, article("a1", stmt("s1", "There is no way back to the old relations", speaker("J. Stoltenberg"))))
    assert speaker_of(engine, "a1#s1") == "j-stoltenberg"
    first = imported(engine, JENS)
    assert (first.created, first.moved) == (1, 1)
    assert speaker_of(engine, "a1#s1") == "jens-stoltenberg"
    again = imported(engine, JENS)
    assert (again.created, again.updated, again.aliases, again.moved) == (0, 0, 0, 0)


def test_the_users_split_stays_authoritative(engine):
    store(engine, article("a1", stmt("s1", "There is no way back to the old relations", speaker("Jens Stoltenberg"))),
          article("a2", stmt("s1", "Norway will always talk to its neighbours", speaker("J. Stoltenberg"))))
    with engine.begin() as c:
        st.split(c, "jens-stoltenberg", "J. Stoltenberg")
    done = imported(engine, JENS)
    assert done.kept == ["J. Stoltenberg (Jens Stoltenberg)"]
    assert speaker_of(engine, "a2#s1") == "j-stoltenberg"


def test_registry_files_csv_and_yaml(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("name,kind,aliases,roles,organization,wikidata\n"
                   "Jens Stoltenberg,person,Stoltenberg; J. Stoltenberg,NATO Secretary General,NATO,Q57269\n"
                   "NATO,organisation,North Atlantic Treaty Organization,,,Q7184\n", encoding="utf-8")
    yml = tmp_path / "people.yaml"
    yml.write_text("speakers:\n- name: Jens Stoltenberg\n  aliases: [Stoltenberg, J. Stoltenberg]\n"
                   "  roles: NATO Secretary General\n  organization: NATO\n  wikidata: Q57269\n"
                   "- {name: NATO, kind: organization, aliases: North Atlantic Treaty Organization, wikidata: Q7184}\n",
                   encoding="utf-8")
    assert read_registry(csv) == read_registry(yml)
    assert read_registry(csv)[0] == JENS
    assert read_registry(csv)[1].kind == "organization"


@pytest.mark.parametrize("name, text, message", [
    ("x.csv", "who,aliases\nJens,\n", "'name'"),
    ("x.csv", "name,wikidata\nJens Stoltenberg,57269\n", "not a Wikidata id"),
    ("x.csv", "name,kind\nJens Stoltenberg,robot\n", "neither person nor organization"),
    ("x.csv", "name,aliases\nJens Stoltenberg,Stoltenberg\nThorvald Stoltenberg,Stoltenberg\n", "also given at"),
    ("x.yaml", "- name: [unclosed\n", "not valid YAML"),
    ("x.txt", "Jens Stoltenberg\n", ".csv, .yaml or .yml"),
])
def test_a_bad_registry_says_where_and_why(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        read_registry(path)
