"""Speaker resolution, table-driven: pronouns, titles, nominals, surnames, appositions,
organisations and places, and ids stable across articles."""
from __future__ import annotations

import pytest
from spacy.tokens import Span

from sayso.records import Part, Statement
from sayso.resolve.names import slug
from tests.resolve.helpers import find, parsed, resolve, speaker_of, statement

# (text, source as written, cue, content, expected speaker name, resolved_via)
CASES = [
    # pronouns: the nearest compatible named speaker, by gender
    ("Angela Merkel met Boris Johnson in Berlin. She said that the talks had been useful.",
     "She", "said", "that the talks had been useful", "Angela Merkel", "pronoun"),
    ("Angela Merkel met Boris Johnson in Berlin. He said that the talks had been useful.",
     "He", "said", "that the talks had been useful", "Boris Johnson", "pronoun"),
    ("Mr. Smith and Laura Jones arrived late. According to her, the vote was rigged.",
     "her", "According to", "the vote was rigged", "Laura Jones", "pronoun"),
    ("Mrs. Clark spoke to Tom Baker before the vote. In his opinion, the bill will fail.",
     "his", "opinion", "the bill will fail", "Tom Baker", "pronoun"),
    # who spoke last beats a name merely mentioned in what was said
    ("Senator Mark Hill said that Jane Doe should resign. He added that the party agreed.",
     "He", "added", "that the party agreed", "Mark Hill", "pronoun"),
    # titles and nominals: the entity introduced with that role
    ("NATO Secretary General Jens Stoltenberg arrived in Vilnius on Monday. Later, the Secretary General "
     "said that the alliance was united.",
     "the Secretary General", "said", "that the alliance was united", "Jens Stoltenberg", "title"),
    ("German Chancellor Olaf Scholz met French President Emmanuel Macron. The head of the German "
     "government said that Europe must stay united.",
     "The head of the German government", "said", "that Europe must stay united", "Olaf Scholz", "title"),
    ("Former Austrian vice-chancellor Heinz-Christian Strache gave a speech in Dresden. At the end, the "
     "politician called for a peace movement.",
     "the politician", "called for", "a peace movement", "Heinz-Christian Strache", "nominal"),
    ("Mayor Bill de Blasio visited the site. The mayor said that there was no link to terrorism.",
     "The mayor", "said", "that there was no link to terrorism", "Bill de Blasio", "title"),
    # surname → the full name given earlier
    ("Jens Stoltenberg arrived in Vilnius. Stoltenberg said that the alliance was united.",
     "Stoltenberg", "said", "that the alliance was united", "Jens Stoltenberg", "name"),
    # the parse makes the company the source's head; the person tagged in it is the speaker
    ("Hair is part of identity, according to Coils to Locs Founder Dianne Austin. Dianne Austin "
     "opened her salon in 2010.",
     "Coils to Locs Founder Dianne Austin", "according to", "Hair is part of identity", "Dianne Austin", "name"),
    # organisations and places
    ("The International Monetary Fund cut its forecast on Tuesday. The fund said that growth would slow.",
     "The fund", "said", "that growth would slow", "International Monetary Fund", "nominal"),
    ("Thousands of workers joined the Association of Flight Attendants last year. The union said that "
     "wages must rise.",
     "The union", "said", "that wages must rise", "Association of Flight Attendants", "nominal"),
    ("The New York City Housing Authority reviewed the plan on Monday. The authority said that repairs "
     "would start in May.",
     "The authority", "said", "that repairs would start in May", "New York City Housing Authority", "nominal"),
    # the tagger ended the organisation's name one word early ('… System | Operator')
    ("The California Independent System Operator, the nonprofit entity that runs the grid, said "
     "it would cut power.", "The California Independent System Operator, the nonprofit entity that "
     "runs the grid,", "said", "it would cut power", "California Independent System Operator", "name"),
    # a made thing speaks for its maker: the outlet an article ran in
    ("Vitamins may help, according to a story in The New York Times.",
     "a story in The New York Times", "according to", "Vitamins may help", "New York Times", "nominal"),
    # a role given in apposition outside any statement still describes the person
    ("An attorney for Bryan Walsh, Mark Dunne, stressed that his client was ready to appear. Later, "
     "Walsh's lawyer said that the hearing was a spectacle.",
     "Walsh's lawyer", "said", "that the hearing was a spectacle", "Mark Dunne", "title"),
]


@pytest.mark.parametrize("text,source,cue,content,name,via", CASES, ids=[c[4] + ":" + c[1] for c in CASES])
def test_source_resolves_to_named_entity(nlp, text, source, cue, content, name, via):
    art = resolve(nlp, text, [statement(text, "s1", source, cue, content)])
    sp = art.statements[0].speaker
    assert sp is not None, "no speaker"
    assert (sp.name, sp.resolved_via) == (name, via)
    assert sp.id == slug(name)


# (text, source, cue, content, name, descriptors, organization, country)
DESCRIBED = [
    ("Maria Zakharova, the official representative of the Russian Foreign Ministry, said that talks "
     "were over.", "Maria Zakharova, the official representative of the Russian Foreign Ministry,",
     "said", "that talks were over", "Maria Zakharova",
     ("official representative of the Russian Foreign Ministry",), "Russian Foreign Ministry", "Russia"),
    ("The co-chair of the Left Party of Germany, Janine Wissler, said that NATO should go.",
     "The co-chair of the Left Party of Germany, Janine Wissler", "said", "that NATO should go",
     "Janine Wissler", ("co-chair of the Left Party of Germany",), "Left Party of Germany", "Germany"),
    ("German Chancellor Olaf Scholz said that aid would continue.", "German Chancellor Olaf Scholz",
     "said", "that aid would continue", "Olaf Scholz", ("German Chancellor",), None, "Germany"),
    ("US Secretary of Defense Lloyd Austin said that NATO would not fight.",
     "US Secretary of Defense Lloyd Austin", "said", "that NATO would not fight", "Lloyd Austin",
     ("US Secretary of Defense",), None, "United States"),
    ("NATO Secretary General Jens Stoltenberg said that the door was open.",
     "NATO Secretary General Jens Stoltenberg", "said", "that the door was open", "Jens Stoltenberg",
     ("NATO Secretary General",), "NATO", None),
    # a dateline is nobody's role, nor is what a name is the object of
    ("WASHINGTON -- President Barack Obama said that the deal was fair.",
     "WASHINGTON -- President Barack Obama", "said", "that the deal was fair", "Barack Obama",
     ("President",), None, None),
    ("FBI criticism of Hillary Clinton grew louder on Monday. Clinton said that she had done nothing "
     "wrong.", "Clinton", "said", "that she had done nothing wrong", "Hillary Clinton", (), None, None),
    ("Donors gave to Mrs. Hillary Clinton on Monday. Clinton said that she was grateful.",
     "Clinton", "said", "that she was grateful", "Hillary Clinton", (), None, None),
    # nor is a phrase that sets the scene: before the name, only what follows its last comma
    ("On Thursday, however, Donald Trump said that the polls were rigged.",
     "On Thursday, however, Donald Trump", "said", "that the polls were rigged", "Donald Trump", (),
     None, None),
    ("On February 25, former Vice-Chancellor Heinz-Christian Strache said that peace was near.",
     "On February 25, former Vice-Chancellor Heinz-Christian Strache", "said", "that peace was near",
     "Heinz-Christian Strache", ("former Vice-Chancellor",), None, None),
    ("Hillary Clinton, at Monday's debate, said that the plan was sound.",
     "Hillary Clinton, at Monday's debate,", "said", "that the plan was sound", "Hillary Clinton", (),
     None, None),
    ("Peter Wherry, of Mayfield Memorial Baptist Church, said that the doors were open.",
     "Peter Wherry, of Mayfield Memorial Baptist Church,", "said", "that the doors were open",
     "Peter Wherry", ("of Mayfield Memorial Baptist Church",), "Mayfield Memorial Baptist Church", None),
]


@pytest.mark.parametrize("text,source,cue,content,name,descriptors,org,country", DESCRIBED,
                         ids=[c[4] for c in DESCRIBED])
def test_roles_as_written(nlp, text, source, cue, content, name, descriptors, org, country):
    sp = resolve(nlp, text, [statement(text, "s1", source, cue, content)]).statements[0].speaker
    assert sp is not None
    assert (sp.name, sp.descriptors, sp.organization, sp.country) == (name, descriptors, org, country)


def test_ids_merge_within_and_across_articles(nlp):
    a = "NATO Secretary General Jens Stoltenberg said that Kiev would join. Stoltenberg added that it was far off."
    b = "Jens Stoltenberg said that the alliance was united."
    art_a = resolve(nlp, a, [statement(a, "s1", "NATO Secretary General Jens Stoltenberg", "said",
                                       "that Kiev would join"),
                             statement(a, "s2", "Stoltenberg", "added", "that it was far off", src_nth=1)])
    art_b = resolve(nlp, b, [statement(b, "s1", "Jens Stoltenberg", "said", "that the alliance was united")])
    ids = {s.speaker.id for s in art_a.statements} | {s.speaker.id for s in art_b.statements}
    assert ids == {"jens-stoltenberg"}
    assert {s.speaker.name for s in art_a.statements} == {"Jens Stoltenberg"}


@pytest.mark.parametrize("name,expected", [
    ("Jens Stoltenberg", "jens-stoltenberg"), ("Heinz-Christian Strache", "heinz-christian-strache"),
    ("Bill de Blasio", "bill-de-blasio"), ("José Castañeda", "jose-castaneda"), ("Ban Ki-moon", "ban-ki-moon"),
])
def test_slug_is_a_pure_function_of_the_name(name, expected):
    assert slug(name) == expected


NO_SPEAKER = [
    # a passive or sourceless statement, an unresolvable quantifier, an artifact
    ("Some analysts met on Monday. Some said that the plan would fail.", "Some", "said",
     "that the plan would fail"),
    ("Jane Doe published the study in May. The report said that costs had doubled.", "The report", "said",
     "that costs had doubled"),
]


@pytest.mark.parametrize("text,source,cue,content", NO_SPEAKER, ids=[c[1] for c in NO_SPEAKER])
def test_no_speaker_is_invented(nlp, text, source, cue, content):
    sp = resolve(nlp, text, [statement(text, "s1", source, cue, content, src_nth=0 if source != "Some" else 1)]
                 ).statements[0].speaker
    assert sp is None


def test_byline_is_never_a_speaker(nlp):
    text = ("Talks in Vienna\nJohn Smith said that the talks had failed.\nHe added that they would resume.\n"
            "Peter Nikolaev")
    art = resolve(nlp, text, [statement(text, "s1", "John Smith", "said", "that the talks had failed"),
                              statement(text, "s2", "He", "added", "that they would resume")])
    assert art.byline == "Peter Nikolaev"
    assert [s.speaker.name for s in art.statements] == ["John Smith", "John Smith"]


def test_first_person_inside_a_quote_is_the_quoted_speaker(nlp):
    text = '"I understand that some are worried," German Chancellor Olaf Scholz said.'
    outer = statement(text, "s1", "German Chancellor Olaf Scholz", "said", '"I understand that some are worried,"')
    inner = statement(text, "s2", "I", "understand", "that some are worried", flags=("nested",))
    art = resolve(nlp, text, [outer, inner])
    assert art.statements[1].speaker.name == "Olaf Scholz"


@pytest.mark.parametrize("headline, first, last, name", [
    ("Obama Says Museum Will Open in May", 0, 1, ("Obama",)),
    ("Angela Merkel Warns of Slower Growth", 0, 2, ("Angela", "Merkel")),
    ("Tom Jones Sings Again", 0, 1, ("Tom", "Jones")),  # a surname that looks like a verb form
])
def test_a_headline_verb_is_not_part_of_the_name(nlp, headline, first, last, name):
    """Title-case headlines glue the reporting verb to the name NER found ('Obama Says')."""
    from sayso.resolve.names import NameReader
    from sayso.resolve.rules import load_rules

    found = NameReader(load_rules()).read(nlp(headline), first, last)
    assert found is not None and found.name == name


def _resolved_with_surname_as_org(nlp, text: str, surname: str, cue: str, content: str):
    """The speaker of '<surname> <cue> <content>' at the start of ``text``, with the
    surname tagged ORG as the small model sometimes tags it."""
    doc = parsed(nlp, text)
    span = doc.char_span(0, len(surname))
    doc.ents = [Span(doc, span.start, span.end, label="ORG")] + [e for e in doc.ents if e.start >= span.end]
    return speaker_of(doc, statement(text, "s1", surname, cue, content))


def test_a_surname_the_tagger_calls_an_organisation_is_the_person_it_names_elsewhere(nlp):
    """The small model tags a name PERSON in one sentence and ORG in another (PolNeAR dev:
    'Wells Fargo CEO John Stumpf' … 'Stumpf said'). Sources are read before the rest of the
    text, so the person named in full later in the article still claims the surname."""
    text = ("Stumpf said that the bank had fired 5,300 employees. Senators questioned Wells Fargo "
            "CEO John Stumpf on Tuesday.")
    sp = _resolved_with_surname_as_org(nlp, text, "Stumpf", "said", "that the bank had fired 5,300 employees")
    assert (sp.name, sp.organization) == ("John Stumpf", "Wells Fargo")


def test_an_organisation_named_like_nobody_in_the_article_stays_an_organisation(nlp):
    text = "Stumpf said that the bank had fired 5,300 employees. Senators questioned the bank's CEO."
    sp = _resolved_with_surname_as_org(nlp, text, "Stumpf", "said", "that the bank had fired 5,300 employees")
    assert (sp.name, sp.organization) == ("Stumpf", "Stumpf")


def test_a_name_the_tagger_left_untagged_still_keeps_its_person_salient(nlp):
    """The small model tags 'Lopez' in one sentence and not in the next; that untagged
    'Lopez' is still a mention of Maria Lopez, so 'the singer' after it is her, not the
    person she toured with."""
    text = ("Maria Lopez has sung for thirty years. Later, Lopez toured Europe with the drummer "
            "Tom Becker. The singer said that the tour had changed her life.")
    doc = parsed(nlp, text)
    untagged = doc.char_span(*find(text, "Lopez", 1))
    doc.ents = [e for e in doc.ents if not (e.start <= untagged.start < e.end)]
    st = statement(text, "s1", "The singer", "said", "that the tour had changed her life")
    assert speaker_of(doc, st).name == "Maria Lopez"


def test_the_description_an_article_keeps_using_stays_with_its_person(nlp):
    """A profile calls its subject 'the star'; a 'soul star' named once in passing does not
    take the description over: whom 'the star' meant before is whom it means now."""
    text = ("Celine Dion sold millions of albums. The star said that she loved Quebec. Celine Dion sang a "
            "duet with soul star Peabo Bryson in 1991. The album sold well in Canada. The star "
            "said that she had to stand tall.")
    first = statement(text, "s1", "The star", "said", "that she loved Quebec")
    later = statement(text, "s2", "The star", "said", "that she had to stand tall", src_nth=1, cue_nth=1)
    article = resolve(nlp, text, [first, later])
    assert [st.speaker.name for st in article.statements] == ["Celine Dion", "Celine Dion"]


def test_its_statement_is_an_organisations_not_the_last_persons(nlp):
    """'Its statement' after a person's 'her statement' is the company's: the possessive
    rules the person out; the organisation named last is the one."""
    text = ("Jane Roe said in her statement that the diet had worked. Acme Foods denied it on "
            "Monday. Its statement claimed that the diet had nothing to do with it.")
    hers = statement(text, "s1", "Jane Roe", "said in her statement", "that the diet had worked")
    its = statement(text, "s2", "Its statement", "claimed", "that the diet had nothing to do with it")
    speakers = [st.speaker.name if st.speaker else None for st in resolve(nlp, text, [hers, its]).statements]
    assert speakers == ["Jane Roe", "Acme Foods"]


BLINKEN = ("President Joe Biden organised the summit in Los Angeles. The meeting in Panama was useful, "
           "according to Antony Blinken's remarks. The declaration should set shared principles, he added.")


def _blinken_statements():
    text = BLINKEN
    remarks = statement(text, "s1", "Antony Blinken's remarks", "according to", "The meeting in Panama was useful")
    he = text.index("he added")  # not the first "he" of the text, which is inside "The"
    added = Statement(id="s2", kind="indirect", cue=Part.from_spans(text, [find(text, "added")]),
                      source=Part.from_spans(text, [(he, he + 2)]),
                      content=Part.from_spans(text, [find(text, "The declaration should set shared principles")]))
    return remarks, added


def test_whose_remarks_they_are_is_who_speaks(nlp):
    """'according to Antony Blinken's remarks' (explanations, comments, testimony): the
    possessor said it, as with a made thing ('his report')."""
    remarks, _ = _blinken_statements()
    assert speaker_of(parsed(nlp, BLINKEN), remarks).name == "Antony Blinken"


def test_a_person_is_as_salient_as_their_best_mention(nlp):
    """'… according to Antony Blinken's remarks. …, he added.': the name inside the source
    is a plain mention and the source a speaker's; the speaker's, the better of the two,
    decides, so 'he' is Blinken, not the president named in the sentence before."""
    remarks, added = _blinken_statements()
    article = resolve(nlp, BLINKEN, [remarks, added])
    assert [st.speaker.name for st in article.statements] == ["Antony Blinken", "Antony Blinken"]


ROLE_WORD_SURNAMES = [
    # a relative clause describes the source; the name inside it is not the speaker's
    ("Mark Meadows announced his retirement on Monday. His aide Wayne King heard of it late. "
     "King, who resigned from Meadows' office in December, said that he would run for the seat.",
     "King, who resigned from Meadows' office in December", "Wayne King"),
    ("Larry King has hosted talk shows for decades. Mr. King said that nobody had ever edited "
     "his shows.", "Mr. King", "Larry King"),
    ("Former Prime Minister John Major spoke in London. Major said that the treaty was a mistake.",
     "Major", "John Major"),
    # a title before a name stays a title
    ("King Charles visited Wales on Monday. The King said that the floods were a tragedy.",
     "The King", "Charles"),
]


@pytest.mark.parametrize("text,source,name", ROLE_WORD_SURNAMES, ids=[c[2] + ":" + c[1][:12] for c in ROLE_WORD_SURNAMES])
def test_a_role_word_after_a_given_name_or_an_honorific_is_a_surname(nlp, text, source, name):
    """'King', 'Major', 'Bishop' are role words, but in 'Wayne King' and 'Mr. King' the
    surname: the speaker is the person, not a 'Wayne' with the title 'King'."""
    cue = "said"
    content = text[text.index(cue, text.index(source) + len(source)) + len(cue) + 1:-1]
    art = resolve(nlp, text, [statement(text, "s1", source, cue, content, cue_nth=text[:text.index(source)].count(cue))])
    assert art.statements[0].speaker.name == name


@pytest.mark.parametrize("pos", ["ADV", "NOUN"])
def test_a_lone_surname_the_tagger_makes_a_common_word_is_still_the_person(nlp, pos):
    """The small model makes some surnames adverbs or nouns ('…, says Best.' after
    'registered dietitian Trista Best'; 'Dion also made it clear'), so no entity covers
    them: a one-word source spelled like the surname of exactly one person named in the
    article is that person."""
    text = ("Registered dietitian Trista Best spoke to us. Vitamin overdoses are rare, says Best. "
            "Most people need no supplement.")
    doc = parsed(nlp, text)
    lone = doc.char_span(*find(text, "Best", 1))
    lone[0].pos_, lone[0].tag_ = pos, "RB" if pos == "ADV" else "NN"
    doc.ents = [doc.char_span(*find(text, "Trista Best"), label="PERSON")]
    st = statement(text, "s1", "Best", "says", "Vitamin overdoses are rare", src_nth=1)
    assert speaker_of(doc, st).name == "Trista Best"


def test_a_lone_surname_two_people_share_stays_unresolved(nlp):
    text = ("Trista Best and Jonah Best spoke to us. Vitamin overdoses are rare, says Best. "
            "Most people need no supplement.")
    doc = parsed(nlp, text)
    doc.char_span(*find(text, "Best", 2))[0].pos_ = "ADV"
    doc.ents = [doc.char_span(*find(text, name), label="PERSON") for name in ("Trista Best", "Jonah Best")]
    st = statement(text, "s1", "Best", "says", "Vitamin overdoses are rare", src_nth=2)
    assert speaker_of(doc, st) is None


def test_police_are_the_police_named_before_not_a_detective_of_theirs(nlp):
    """'Police said' is the force: a name the tagger calls a place ('Miami-Dade Police') is
    an organisation when it ends in a body word, and 'police' resolves to it, never to the
    detective whose title mentions it. 'Detective' is a title, not part of his name."""
    text = ("Miami-Dade Police said officers were behind the silver car.\n\n"
            "\u201cOnce officers were in the area, they saw the car,\u201d said Miami-Dade Police "
            "Detective Alvaro Zabaleta.\n\n\u201cThe driver lost control,\u201d said Zabaleta.\n\n"
            "Police said the teenage driver was killed, and paramedics rushed the passenger to a hospital.")
    sts = [statement(text, "s1", "Miami-Dade Police", "said", "officers were behind the silver car"),
           statement(text, "s2", "Miami-Dade Police Detective Alvaro Zabaleta", "said",
                     "\u201cOnce officers were in the area, they saw the car,\u201d", cue_nth=1),
           statement(text, "s3", "Zabaleta", "said", "\u201cThe driver lost control,\u201d", src_nth=1, cue_nth=2),
           statement(text, "s4", "Police", "said", "the teenage driver was killed", src_nth=2, cue_nth=3)]
    speakers = [st.speaker.name if st.speaker else None for st in resolve(nlp, text, sts).statements]
    assert speakers == ["Miami-Dade Police", "Alvaro Zabaleta", "Alvaro Zabaleta", "Miami-Dade Police"]


def test_a_surname_spelled_like_a_country_stays_in_the_name(nlp):
    """'Jim Jordan' is a person tagged whole by the tagger, not 'Jim' and the kingdom."""
    text = "Rep. Jim Jordan (R-Ohio) said the FBI must answer questions about the email."
    st = statement(text, "s1", "Rep. Jim Jordan (R-Ohio)", "said", "the FBI must answer questions about the email")
    assert resolve(nlp, text, [st]).statements[0].speaker.name == "Jim Jordan"


def test_a_person_known_by_a_surname_takes_the_given_name_written_before_it(nlp):
    """The small tagger sees no name in 'Even though Céline Dion is a pop icon'; the speaker
    is still 'Céline Dion', whom other articles name so, not 'Dion'. A pun written once
    ('Canine Dion') does not outvote her name."""
    text = ("Even though Céline Dion is a multi-million-selling pop icon, people have chosen to focus "
            "on her body. Fans called her Canine Dion. In an interview, Dion explained that she was "
            "trying to survive as best she could. Céline Dion later spoke about it.")
    st = statement(text, "s1", "Dion", "explained", "that she was trying to survive as best she could", src_nth=2)
    assert resolve(nlp, text, [st]).statements[0].speaker.name == "Céline Dion"


@pytest.mark.parametrize("headline, name", [
    ("Fans Voice Fears Over Céline Dion And Her Weight Loss", "Céline Dion"),
    ("Derelict Dion Leaves Fans Waiting For Her Weight Loss Secret", "Dion"),
])
def test_a_headline_counts_only_for_a_given_name_the_body_writes_too(nlp, headline, name):
    """In a title-case line every word looks like a name: 'Céline' counts there because the
    body writes 'Céline Dion' as well, so it outnumbers the pun; 'Derelict' never does."""
    text = (headline + "\n\nEven though Céline Dion is a pop icon, people focus on her body. "
            "Fans called her “Canine Dion.”\n\nIn an interview, Dion explained that she was "
            "trying to survive as best she could.")
    st = statement(text, "s1", "Dion", "explained", "that she was trying to survive as best she could",
                   src_nth=3)
    assert resolve(nlp, text, [st]).statements[0].speaker.name == name


def test_an_acronym_speaker_is_named_in_full_when_the_article_spells_it_out(nlp):
    text = ("The International Monetary Fund expects growth to slow. "
            "In its outlook, the IMF said that inflation would ease next year.")
    st = statement(text, "s1", "the IMF", "said", "that inflation would ease next year")
    assert resolve(nlp, text, [st]).statements[0].speaker.name == "International Monetary Fund"


def test_a_programme_named_after_its_host_is_not_the_hosts_name(nlp):
    """'The Dan Wootton Interview' is his show; the man who asks is Dan Wootton."""
    text = ("Alley appeared on podcast The Dan Wootton Interview in 2018. "
            "Wootton asked her, “Did you get it from a tick?”")
    st = statement(text, "s1", "Wootton", "asked", "“Did you get it from a tick?”", src_nth=1)
    assert resolve(nlp, text, [st]).statements[0].speaker.name == "Dan Wootton"


def test_today_ends_a_title_not_a_name(nlp):
    """The tagger reads 'Today' as a date; inside a sentence, after a capitalised name, it ends
    an outlet's name."""
    text = "Folic acid is vital for pregnant women, according to Medical News Today."
    st = statement(text, "s1", "Medical News Today", "according to", "Folic acid is vital for pregnant women")
    assert resolve(nlp, text, [st]).statements[0].speaker.name == "Medical News Today"
