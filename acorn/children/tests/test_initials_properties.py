"""Property tests of the name redactor (C-4): generated names, written every way people
(and keyboards) write them, never reach a parent of another child."""

from types import SimpleNamespace
from uuid import uuid4

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from acorn.children.names import EVERYDAY_WORDS, NameRedactor, normalise

LOWER = "abcdefghijklmnopqrstuvwxyz"
LOOK_ALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"}
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
FILLER = "1, 2, 3: {} !"


def _name(letters):
    return letters[0].upper() + letters[1:]


names = st.text(alphabet=LOWER, min_size=3, max_size=9).map(_name)
surnames = st.one_of(
    names,
    st.tuples(names, names).map(lambda p: f"{p[0]}-{p[1]}"),
    st.tuples(st.sampled_from(["O'", "Mac", "D'"]), names).map(lambda p: p[0] + p[1]),
)


def _child(first, last):
    return SimpleNamespace(pk=uuid4(), first_name=first, last_name=last)


@st.composite
def spellings(draw, name: str) -> str:
    """One way of writing `name` in a journal entry."""
    text = draw(st.sampled_from([name, name.upper(), name.replace("-", " ")]))
    text = draw(
        st.sampled_from(
            [text, text.replace("'", ""), text.replace("'", " "), text.replace("-", "")]
        )
    )
    if draw(st.booleans()):
        text = "".join(LOOK_ALIKES.get(c, c) if draw(st.booleans()) else c for c in text)
    if draw(st.booleans()) and len(text) > 1:
        at = draw(st.integers(1, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(INVISIBLE)) + text[at:]
    suffix = draw(st.sampled_from(["", "'s", "’s", "s"]))
    return text + suffix


def _letters(text: str) -> str:
    return "".join(c for c in normalise(text)[0] if c.isalpha())


@settings(max_examples=300, deadline=None)
@given(data=st.data(), first=names, last=surnames)
def test_a_name_in_any_spelling_becomes_initials(data, first, last):
    assume(first.lower() not in EVERYDAY_WORDS)
    assume(not any(part.lower() in EVERYDAY_WORDS for part in last.replace("'", "-").split("-")))
    redactor = NameRedactor([_child(first, last), _child("Xander", "Young")], set())
    which = data.draw(st.sampled_from([first, last, f"{first} {last}"]))
    written = data.draw(spellings(which))
    shown = redactor(FILLER.format(written))
    initials = f"{first[0]}.{last[0]}."
    assert written not in shown
    # (The initials themselves can spell a short name with a possessive: "A.A.'s".)
    assert _letters(which) not in _letters(shown.replace(initials, " "))
    assert initials in shown


@settings(max_examples=300, deadline=None)
@given(
    first=names,
    last=names,
    text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
)
def test_text_without_names_is_unchanged(first, last, text):
    """Text in which no spelling of any name appears comes back exactly as written."""
    squashed = _letters(text)
    assume(first.lower() not in squashed and last.lower() not in squashed)
    redactor = NameRedactor([_child(first, last)], set())
    assert redactor(text) == text


@settings(max_examples=200, deadline=None)
@given(first=names, last=names, data=st.data())
def test_the_readers_own_child_keeps_their_name(first, last, data):
    own = _child(first, last)
    written = data.draw(st.sampled_from([first, last, f"{first} {last}"]))
    text = FILLER.format(written)
    assert NameRedactor([own], {own.pk})(text) == text
