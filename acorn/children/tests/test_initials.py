from types import SimpleNamespace
from uuid import uuid4

import pytest

from acorn.children.names import NameRedactor


def child(first, last):
    return SimpleNamespace(pk=uuid4(), first_name=first, last_name=last)


@pytest.fixture
def classroom():
    return {
        "own": child("Xander", "Young"),
        "rose": child("Rose", "O'Neill"),
        "will": child("Will", "Smith-Jones"),
        "may": child("May", "Chen"),
        "zoe": child("Zoë", "Brontë"),
        "mary": child("Mary-Jane", "D'Arcy"),
    }


def redact(classroom, text):
    own = {classroom["own"].pk}
    return NameRedactor(classroom.values(), own)(text)


def test_own_child_keeps_their_name(classroom):
    assert redact(classroom, "Xander Young built a den.") == "Xander Young built a den."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Xander and Rose built a den.", "Xander and R.O. built a den."),
        ("Rose's tower fell.", "R.O.'s tower fell."),
        ("ROSE shouted hooray", "R.O. shouted hooray"),
        ("O'Neill and O’Neill and ONeill", "R.O. and R.O. and R.O."),
        ("Will Smith-Jones and Jones", "W.S. and W.S."),
        ("Smith and Jones", "W.S. and W.S."),
        ("Zoë and Zoe and Bronte", "Z.B. and Z.B. and Z.B."),
        ("Mary-Jane D'Arcy, Mary and Jane", "M.D., M.D. and M.D."),
        ("May Chen painted.", "M.C. painted."),
        ("Played with @Rose!", "Played with @R.O.!"),
    ],
)
def test_other_children_become_initials(classroom, text, expected):
    assert redact(classroom, text) == expected


def test_names_that_are_everyday_words_stay_words_in_lower_case(classroom):
    text = "You may see the sun rose; it will be warm."
    assert redact(classroom, text) == text


def test_capitalised_word_names_are_hidden_even_at_sentence_start(classroom):
    assert (
        redact(classroom, "Will you help? May I? Rose came.") == "W.S. you help? M.C. I? R.O. came."
    )


def test_a_classmate_sharing_the_own_childs_first_name_does_not_hide_it():
    own = child("Rose", "Young")
    other = child("Rose", "Other")
    redactor = NameRedactor([own, other], {own.pk})
    assert redactor("Rose Other and Rose") == "R.O. and Rose"
