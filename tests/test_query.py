"""The Query: a question analysed once (terms, scopes, group, kind, follow-ups), in en/fr/es."""

from __future__ import annotations

import pytest

from assistant.query import Query, analyse
from assistant.query.groups import group_named, named_groups
from assistant.query.kinds import question_kind
from assistant.query.names import aliases_of, country_of, entities_all
from assistant.query.scopes import scopes
from assistant.retrieval.glossary import Glossary, bundled
from ingest.types import Submission
from vectorstore.types import Filters

SUBS = [
    Submission("State_France_Code.docx", "h1", "State_France_Code.docx", "Code de la sécurité",
               "France", "State", "France", "fr"),
    Submission("State_Peru_Ley.docx", "h2", "State_Peru_Ley.docx", "Ley 30714", "Peru", "State",
               "Peru", "es"),
    Submission("NGO_CampaignZero_US.docx", "h3", "NGO_CampaignZero_US.docx", "Police Scorecard",
               "Campaign Zero", "NGO/civil society", "United States", "en"),
    Submission("State_Malaysia_IPCMC-Bill.docx", "h4", "State_Malaysia_IPCMC-Bill.docx",
               "IPCMC Bill 2019", "Malaysia", "State", "Malaysia", "en"),
]  # fmt: skip


def query(text: str, history: tuple[str, ...] = (), **kwargs) -> Query:
    return analyse(text, history, submissions=SUBS, glossary=bundled(), **kwargs)


@pytest.mark.parametrize(
    ("question", "label", "types"),
    [
        ("Which States require body cameras?", "States", ("State",)),
        ("Quels États autorisent les contrôles d'identité ?", "States", ("State",)),
        ("¿Qué Estados exigen informes?", "States", ("State",)),
        ("Quelles ONG critiquent la police ?", "NGOs", ("NGO/civil society",)),
        ("¿Qué ONG denuncian abusos?", "NGOs", ("NGO/civil society",)),
        ("What do NHRIs recommend on custody deaths?", "NHRIs", ("NHRI",)),
        ("Among civil society organisations, who wants bans?", "civil society",
         ("NGO/civil society", "NHRI", "academic")),
        ("What do the NGOs say about body cameras?", "NGOs", ("NGO/civil society",)),
        ("Do any States require body cameras?", "States", ("State",)),
        ("Are there NGOs that criticise identity checks?", "NGOs", ("NGO/civil society",)),
        ("How many States require body cameras?", "States", ("State",)),
        ("Which State submissions require body cameras?", "States", ("State",)),
        ("Quels sont, parmi les ONG, celles qui critiquent la police ?", "NGOs",
         ("NGO/civil society",)),
        ("¿Cuántos Estados exigen informes?", "States", ("State",)),
    ],
)  # fmt: skip
def test_the_group_a_question_names_becomes_a_filter(question, label, types) -> None:
    found = group_named(question)
    assert found is not None
    assert (found.label, found.filters.submitter_type) == (label, types)
    q = query(question)
    assert (q.group_label, q.group) == (label, Filters(submitter_type=types))
    assert q.filters == Filters(submitter_type=types)
    assert all(question[a:b].casefold() not in q.topic.casefold() for a, b in found.spans)


@pytest.mark.parametrize(
    "question",
    [
        "What are the obligations of States under international law?",
        "What must States do to investigate deaths?",
        "When may police officers use firearms?",
        "What obligations do States have under Human Rights Council resolution 47/21?",
        "How do states in the US report deaths in custody?",
    ],
)
def test_a_group_word_without_a_lead_names_no_group(question: str) -> None:
    assert group_named(question) is None
    assert query(question).filters is None


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("Citez les ONG qui parlent des victimes.", "NGOs"),
        ("Y a-t-il des organes de l'ONU qui traitent de l'impunité ?", "UN bodies"),
        ("¿Qué organismos de la ONU tratan la rendición de cuentas?", "UN bodies"),
        (
            "¿Existen instituciones nacionales de derechos humanos que hablen de la policía?",
            "NHRIs",
        ),
    ],
)
def test_french_and_spanish_list_questions_name_their_group(question: str, label: str) -> None:
    q = query(question)
    assert (q.kind, q.group_label) == ("who", label)


def test_a_french_pronoun_marks_a_followup_only_where_it_stands_for_the_subject() -> None:
    earlier = ("Quel est le rôle de l'IGPN en France ?",)
    q = query("Quels pouvoirs a-t-elle ?", earlier)
    assert q.is_followup
    assert "IGPN" in q.resolved
    for standalone in (
        "Y a-t-il des organes de l'ONU qui traitent de l'impunité ?",  # "y" is no Spanish "and"
        "Existe-t-il des contributions qui mentionnent les caméras ?",  # impersonal "il"
        "Les contributions espagnoles abordent-elles la discrimination raciale ?",
    ):
        assert not query(standalone, earlier).is_followup, standalone


@pytest.mark.parametrize(
    ("question", "label", "kind"),
    [
        ("What do NGOs say about chokeholds?", "NGOs", "answer"),
        ("¿Qué dicen los Estados sobre la fuerza?", "States", "answer"),
        ("Que disent les ONG des contrôles d'identité ?", "NGOs", "answer"),
        ("Did any NGOs call for prosecutions?", "NGOs", "who"),
        ("Which States' laws allow lethal force only to protect life?", "States", "who"),
    ],
)
def test_a_group_that_says_something_is_the_group(question: str, label: str, kind: str) -> None:
    q = query(question)
    assert (q.group_label, q.kind) == (label, kind)


def test_a_group_adjective_before_a_document_noun_names_the_group() -> None:
    q = query("Which UN documents ask for data to be published?")
    assert (q.kind, q.group_label) == ("who", "UN bodies")
    assert "UN" not in q.topic
    assert query("Among NGO submissions, which call for data?").group_label == "NGOs"


@pytest.mark.parametrize(
    "question",
    [
        "Which submissions mention NGOs?",  # the object of the verb, not its subject
        "Which submissions cite UN documents on policing?",  # Spanish "cite" is no lead here
        "Quelles contributions mentionnent les ONG ?",
    ],
)
def test_a_group_after_a_verb_of_saying_is_its_object(question: str) -> None:
    assert query(question).group is None


def test_a_french_or_spanish_group_after_a_document_noun_names_the_group() -> None:
    assert query("Que disent les documents de l'ONU sur le racisme ?").group_label == "UN bodies"
    q = query("¿Qué dicen las contribuciones de la sociedad civil sobre los datos?")
    assert (q.kind, q.group_label) == ("answer", "civil society")
    assert query("Quelles contributions des ONG évoquent les caméras ?").kind == "who"


@pytest.mark.parametrize(
    "question",
    [
        "Parmi les contributions en anglais, lesquelles parlent des réparations ?",
        "Among the States, which ban chokeholds?",
        "Which of the English-language submissions discuss body-worn cameras?",
        "Dime qué contribuciones hablan del perfilamiento racial.",  # a request before it
        "Give me all the States that mention implicit bias.",
    ],
)
def test_which_questions_in_other_shapes_ask_who(question: str) -> None:
    assert query(question).kind == "who"


def test_a_followup_that_only_narrows_asks_what_the_earlier_question_asked() -> None:
    answer = "How do States describe the duty to investigate deaths in custody?"
    q = query("What about civil society?", (answer,))
    assert (q.kind, q.group_label) == ("answer", "civil society")
    q = query("Only the Spanish ones, please.", ("Which submissions mention proportionality?",))
    assert (q.kind, q.group_label) == ("who", "Spanish")


def test_groups_joined_in_a_which_question_are_one_group_of_either_type() -> None:
    q = query("Which States, NGOs or NHRIs mention body-worn cameras?")
    assert q.kind == "who"
    assert q.group_label == "States, NGOs and NHRIs"
    assert q.filters == Filters(submitter_type=("State", "NGO/civil society", "NHRI"))
    assert query("Quels États et ONG évoquent les caméras ?").group_label == "States and NGOs"


def test_a_language_is_a_group_and_not_a_country_scope() -> None:
    q = query("Which submissions in French mention identity checks?")
    assert (q.group, q.group_label) == (Filters(language=("fr",)), "French")
    assert q.scopes == ()
    assert "French" not in q.topic


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which submissions describe an oversight body that can compel evidence?", "who"),
        ("Which States require body cameras?", "who"),
        ("Quelles contributions parlent des contrôles d'identité ?", "who"),
        ("¿Qué ONG denuncian abusos?", "who"),
        ("What do submissions say about chokeholds?", "answer"),
        ("How do States and NGOs differ on chokeholds?", "compare"),
        ("Compare what France and Campaign Zero say about firearms.", "compare"),
        ("Comment les États et les ONG diffèrent-ils sur l'usage de la force ?", "compare"),
        ("¿En qué difieren los Estados y las ONG sobre la fuerza?", "compare"),
        ("When may police officers use firearms?", "answer"),
        ("Do any submissions mention body cameras?", "who"),
        ("List the submissions that mention chokeholds.", "who"),
        ("How many States require body cameras?", "who"),
        ("Which countries have an independent police oversight body?", "who"),
        ("¿Qué países tienen un órgano de control independiente?", "who"),
        ("Dans quels pays les victimes peuvent-elles porter plainte ?", "who"),
        ("How many experts sit on the Expert Mechanism?", "answer"),
        ("Who can lodge a complaint with the inspectorate?", "answer"),
        ("Which country's constitution bars orders to the police chief?", "answer"),
        ("Who mentions no-knock warrants?", "who"),
        ("Who else talks about the duty to intervene?", "who"),
        ("Qui parle de la discrimination raciale dans les contrôles ?", "who"),
        ("¿Quién menciona las cámaras corporales?", "who"),
        ("Who investigates police misconduct in Peru?", "answer"),
        ("Combien d'États mentionnent les caméras-piétons ?", "who"),
        ("Existe-t-il des contributions qui mentionnent les caméras-piétons ?", "who"),
        ("¿Hay alguna contribución que mencione las cámaras corporales?", "who"),
        ("¿Qué dicen los Estados sobre la fuerza?", "answer"),
        ("¿Existe un órgano independiente en el Perú?", "answer"),
    ],
)
def test_kind_detection_in_three_languages(question: str, kind: str) -> None:
    assert query(question).kind == kind


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Which Spanish submissions mention reparation?", "es"),
        ("What do the French-speaking submissions say about identity checks?", "fr"),
        ("Which English documents describe body cameras?", "en"),
        ("Que disent les contributions espagnoles des sanctions ?", "es"),
        ("¿Qué dicen los documentos franceses sobre la fuerza?", "fr"),
    ],
)
def test_a_language_adjective_before_plural_submissions_names_the_language(
    question: str, language: str
) -> None:
    q = query(question)
    assert (q.group, q.scopes) == (Filters(language=(language,)), ())


def test_the_french_submission_in_the_singular_stays_france() -> None:
    q = query("What does the French submission say about identity checks?")
    assert q.group is None
    assert [s.label for s in q.scopes] == ["France"]


def test_submissions_in_two_languages_compared_have_language_sides() -> None:
    q = query("How do French and Spanish submissions differ on oversight bodies?")
    assert (q.kind, q.sides, q.scopes) == ("compare", ("language=fr", "language=es"), ())


def test_a_comparison_names_its_sides_and_filters_no_group() -> None:
    groups = query("How do States and NGOs differ on chokeholds?")
    assert groups.kind == "compare"
    assert groups.sides == ("type=State", "type=NGO/civil society")
    assert groups.group is None
    assert groups.filters is None
    named = query("Compare what France and Campaign Zero say about firearms.")
    assert named.sides == ("country=France", "submitter=Campaign Zero")
    assert [g.label for g in named_groups("How do States and NGOs differ?", anywhere=True)] == [
        "States",
        "NGOs",
    ]


def test_scopes_name_countries_by_adjective_and_documents_by_acronym() -> None:
    found = scopes(
        "Compare the conditions under which French and Peruvian police use firearms", SUBS
    )
    assert [(s.kind, s.label) for s in found] == [("country", "France"), ("country", "Peru")]
    assert [s.side() for s in found] == ["country=France", "country=Peru"]
    for question, country in (
        ("Que dit le code de déontologie français sur la force ?", "France"),
        ("Que prévoit le droit péruvien sur les sanctions ?", "Peru"),
        ("¿Qué dice la ley peruana sobre el uso de la fuerza?", "Peru"),
    ):
        assert [s.label for s in scopes(question, SUBS)] == [country]
    decree = Submission("State_Peru_Decreto-1186.docx", "h5", "State_Peru_Decreto-1186.docx",
                        "Decreto Legislativo N.° 1186", "Peru", "State", "Peru", "es")  # fmt: skip
    found = scopes("What does Decreto Legislativo 1186 say about firearms?", [*SUBS, decree])
    assert [(s.kind, s.label) for s in found] == [("document", "1186")]
    assert scopes("What was proposed in 2019?", SUBS) == []  # a year names no document
    bill = scopes("What powers does Malaysia's IPCMC Bill give?", SUBS)
    assert [(s.kind, s.label) for s in bill] == [("document", "IPCMC")]
    assert bill[0].filters == Filters(submission_key=("State_Malaysia_IPCMC-Bill.docx",))


def test_country_names_come_from_data_in_three_languages() -> None:
    assert country_of("Peruvian") == "peru"
    assert "perou" in aliases_of("Peru")  # pycountry's French name, folded
    assert "estados unidos" in aliases_of("United States")
    countries = {s.country for s in SUBS}
    found = entities_all("Que dit le Pérou des armes ?", countries, ())
    assert found == [("country", "Peru")]
    assert entities_all("What do U.S. police report?", countries, ()) == [
        ("country", "United States")
    ]


def test_terms_hold_the_content_words_with_stems_and_glossary_bridges() -> None:
    q = query("When may officers use handcuffs?")
    assert q.terms.words == ("officers", "use", "handcuffs")
    assert q.terms.stems["en"] == ("offic", "use", "handcuff")
    assert set(q.terms.stems) == {"en", "fr", "es"}
    menottes = {"menott"}
    assert q.terms.covered(menottes, "fr") == [False, False, True]  # via the glossary
    assert q.terms.covered(menottes, "fr", bridges=False) == [False, False, False]
    assert q.terms.coverage({"offic", "use"}, "en") == pytest.approx(2 / 3)
    assert any("handcuff" in c.terms["en"] for c in q.concepts)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What do States say about the use of force?", ("states", "use", "force")),
        ("¿Qué dicen los Estados sobre el uso de la fuerza?", ("uso", "fuerza")),
        ("Quelles contributions mentionnent les caméras ?", ("cameras",)),
        ("Combien de plaintes ont été jugées fondées ?", ("plaintes", "jugees", "fondees")),
    ],
)
def test_words_that_frame_a_question_are_no_topic_in_any_language(question, words) -> None:
    # "say" was never a topic word; "dicen", "mentionnent", "contributions", "combien" now
    # are not either
    assert query(question).terms.words == words


def test_without_history_resolved_is_the_text() -> None:
    q = query("When may police officers use firearms?")
    assert (q.text, q.resolved, q.language, q.kind) == (q.resolved, q.text, "en", "answer")
    assert not q.is_followup


def test_a_followup_is_resolved_and_its_filter_joins_the_user_filters() -> None:
    q = query(
        "And what does the French code say about that?",
        ("When may police officers use firearms?",),
        filters=Filters(language=("fr",)),
    )
    assert q.is_followup
    assert q.resolved.startswith("And what does the French code say about that? (")
    assert "firearms" in q.carried
    assert q.filters == Filters(country=("France",), language=("fr",))


WHO_FIRST = "Which submissions describe independent bodies that investigate police misconduct?"


@pytest.mark.parametrize(
    ("followup", "filters"),
    [
        ("And among NGOs?", Filters(submitter_type=("NGO/civil society",))),
        ("Only the States?", Filters(submitter_type=("State",))),
        ("Et parmi les États ?", Filters(submitter_type=("State",))),
        ("¿Y entre las ONG?", Filters(submitter_type=("NGO/civil society",))),
        ("And the ones in French?", Filters(language=("fr",))),
        ("What about Peru?", Filters(country=("Peru",))),
        ("Which of them are States?", Filters(submitter_type=("State",))),
        ("Lesquels d'entre eux sont des États ?", Filters(submitter_type=("State",))),
        ("¿Cuáles de ellos son ONG?", Filters(submitter_type=("NGO/civil society",))),
        ("Lesquelles sont des États ?", Filters(submitter_type=("State",))),
        ("Seulement les contributions espagnoles ?", Filters(language=("es",))),
        ("Only the Spanish ones?", Filters(language=("es",))),
        ("Et au Pérou ?", Filters(country=("Peru",))),
        ("¿Y en el Perú?", Filters(country=("Peru",))),
        ("Which ones are UN bodies?", Filters(submitter_type=("UN/intergovernmental",))),
    ],
)
def test_a_followup_that_only_narrows_a_who_list_asks_who_again(followup, filters) -> None:
    q = query(followup, (WHO_FIRST,))
    assert (q.is_followup, q.kind, q.filters) == (True, "who", filters)
    assert "investigate" in q.carried


def test_a_followup_naming_another_group_drops_the_earlier_one() -> None:
    # "States" of the first question is not carried: "And NGOs?" is not States against NGOs
    q = query("And NGOs?", ("Which States require police to report deaths in custody?",))
    assert (q.kind, q.filters) == ("who", Filters(submitter_type=("NGO/civil society",)))
    assert "States" not in q.carried
    assert "deaths" in q.carried


def test_a_country_followup_after_an_answer_replaces_the_possessive_country() -> None:
    q = query("And what about Peru?", ("What does France's code say about firearms?",))
    assert (q.kind, q.filters) == ("answer", Filters(country=("Peru",)))
    assert "France's" not in q.carried


def test_a_followup_with_words_of_its_own_asks_for_an_answer() -> None:
    q = query("What powers do they have?", (WHO_FIRST,))
    assert (q.is_followup, q.kind) == (True, "answer")
    narrowed = query("And among NGOs?", ("When may police officers use firearms?",))
    assert (narrowed.kind, narrowed.filters) == (
        "answer",
        Filters(submitter_type=("NGO/civil society",)),
    )


def test_a_user_filter_and_a_group_are_both_kept() -> None:
    q = query("Which NGOs report on chokeholds?", filters=Filters(country=("United States",)))
    assert q.filters == Filters(submitter_type=("NGO/civil society",), country=("United States",))


def test_no_glossary_means_no_concepts() -> None:
    q = analyse("When may officers use handcuffs?", submissions=SUBS, glossary=Glossary([]))
    assert q.concepts == ()


def test_two_sides_named_together_are_a_comparison_and_a_passing_compare_is_not() -> None:
    assert query("How do France's code and Peru's law treat the use of firearms?").kind == "compare"
    factual = (
        "What share of stops involved Black drivers, and how does that compare with the census?"
    )
    assert query(factual).kind == "answer"
    assert question_kind("Compare the police oversight bodies.") == "compare"  # opens with it
    assert question_kind("Which French-language submissions deal with personal data?") == "who"


def test_states_inside_a_country_name_name_no_group() -> None:
    q = query("What do the United States report about chokeholds?")
    assert q.group is None
    assert [s.label for s in q.scopes] == ["United States"]
    assert group_named("¿Qué dicen los Estados Unidos sobre la fuerza?") is None


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Combien de mandats d'arrêt le tribunal municipal a-t-il délivrés en 2013 ?", "fr"),
        ("Quelle part des interpellations concernait des Afro-Américains ?", "fr"),
        ("¿Cuántos policías peruanos murieron en cumplimiento del deber en 2020?", "es"),
        ("¿Qué establece la legislación de Kenia sobre el uso de armas de fuego?", "es"),
        ("When may French police officers handcuff a person?", "en"),
        ("Quels États ?", "fr"),
        ("¿Qué Estados?", "es"),
        ("And NGOs?", "en"),  # the detector is unsure (Portuguese?): English
        ("Use of force", "en"),
    ],
)
def test_a_short_question_gets_its_own_language(question: str, language: str) -> None:
    q = query(question)
    assert (q.language, q.terms.language) == (language, language)


def test_a_followup_naming_another_country_drops_the_earlier_document() -> None:
    earlier = ("¿Qué sanciones prevé la Ley 30714 para el uso indebido de la fuerza?",)
    q = query("¿Y en Malasia?", earlier)
    assert (q.kind, [s.label for s in q.scopes]) == ("answer", ["Malaysia"])
    assert "30714" not in q.resolved


def test_a_followup_asking_how_that_compares_keeps_the_earlier_country_as_a_side() -> None:
    q = query("How does that compare with Malaysia?", ("What may France's code require?",))
    assert q.kind == "compare"
    assert sorted(q.sides) == ["country=France", "country=Malaysia"]


def test_an_acronym_only_some_texts_use_scopes_a_question_asking_for_an_answer() -> None:
    used = {"IGP": ("State_France_Code.docx",), "DOJ": tuple(s.key for s in SUBS)}
    known = lambda: used  # noqa: E731
    q = query("Qui peut saisir l'IGP ?", acronyms=known)
    assert [(s.label, s.filters.submission_key) for s in q.scopes] == [
        ("IGP", ("State_France_Code.docx",))
    ]
    assert query("Which submissions mention the IGP?", acronyms=known).scopes == ()  # who: all
    assert query("What did the DOJ find?", acronyms=known).scopes == ()  # every text uses it


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Quelles obligations les États ont-ils en droit international ?", "answer"),
        ("¿Qué obligaciones tienen los Estados en materia de reparación?", "answer"),
        ("Quelles sont les ONG qui parlent de données ?", "who"),
        ("¿Cuáles son los Estados que prohíben las llaves de estrangulamiento?", "who"),
    ],
)
def test_a_noun_and_an_article_before_the_group_make_it_the_subject(question, kind) -> None:
    assert question_kind(question) == kind
