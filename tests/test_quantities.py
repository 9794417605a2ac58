"""A question asking for a quantity is answered only by a sentence stating one about what it
counts."""

from __future__ import annotations

import pytest

from assistant.answering.quantities import counted, quantity_missing, states_quantity
from assistant.query.terms import question_terms
from assistant.retrieval.glossary import bundled


@pytest.mark.parametrize(
    ("sentence", "language", "states"),
    [
        ("In 2013 alone, the court issued over 9,000 warrants.", "en", True),
        ("African Americans account for 85% of vehicle stops.", "en", True),
        ("The Mechanism shall consist of five independent experts.", "en", True),
        ("Agencies must report within 30 days of a death.", "en", True),
        ("Plus de la moitié des plaintes ont été classées.", "fr", True),
        ("Murieron 12 policías durante el servicio.", "es", True),
        ("Loi du 18 juillet 2018 sur l'Inspection générale de la Police.", "fr", False),
        ("El 5 de mayo de 2020 entró en vigor.", "es", False),
        ("37. Allocation of annual funds", "en", False),
        ("The Commission acts under article 12 of the Law.", "en", False),
        ("This is one of the largest reviews.", "en", False),
    ],
)
def test_a_quantity_is_told_from_dates_years_and_provision_numbers(sentence, language, states):
    assert states_quantity(sentence, language) is states


def test_the_counted_word_is_the_first_content_word_after_the_quantity_words() -> None:
    q = "How many complaints did the inspectorate receive in 2023?"
    found = question_terms(q, "en", bundled())
    assert [found.words[i] for i in counted(q, found)] == ["complaints"]
    q = "¿Cuántos policías murieron en 2020?"
    found = question_terms(q, "es", bundled())
    assert [found.words[i] for i in counted(q, found)] == ["policias"]
    assert counted("Who heads the inspectorate?", question_terms("Who heads it?", "en")) is None


def test_quantity_missing_needs_the_counted_thing_and_a_number_in_one_sentence() -> None:
    q = "How many complaints did the inspectorate receive?"
    found = question_terms(q, "en", bundled())
    told = [("The inspectorate received 412 complaints in its first year.", "en")]
    untold = [("Complaints are received by the inspectorate under article 5.", "en")]
    elsewhere = [("The inspectorate has 40 staff. It receives complaints.", "en")]
    words = counted(q, found)
    assert quantity_missing(found, words, told) == 0.0
    assert quantity_missing(found, words, untold) == 1.0
    assert quantity_missing(found, words, elsewhere) == 1.0
    assert quantity_missing(found, None, untold) == 0.0  # asks for no quantity


def test_in_another_language_any_quantity_counts() -> None:
    q = "Combien de juridictions ont augmenté le financement de la police ?"
    found = question_terms(q, "fr", bundled())
    english = [("80% of jurisdictions increased police funding from 2013-2018.", "en")]
    assert quantity_missing(found, counted(q, found), english) == 0.0
    undated = [("Jurisdictions increased police funding.", "en")]
    assert quantity_missing(found, counted(q, found), undated) == 1.0
