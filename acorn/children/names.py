"""C-4: text shown to a parent names other children by initials only.

Text is written by people, so a child's name can turn up in any form: "Rose", "ROSE",
"Rose's", "O'Neill" or "O’Neill", "Smith-Jones" or just "Jones", "Zoë" or "Zoe". The
redactor replaces every such form of every other child of the setting with that child's
initials; the reader's own children keep their names. Text and names are normalised
before matching (NFKC, invisible format characters such as soft hyphens and zero-width
spaces dropped, accents folded, Cyrillic and Greek look-alikes read as Latin, case
folded), and a name of four letters or more may be split or joined anywhere ("O Neill",
"SmithJones", "Mac Leod") or carry a plural or possessive "s" without its apostrophe. It errs on the side of hiding:
a capitalised "Will" at the start of a sentence becomes initials too. Names that are
also everyday words ("may", "rose", "will") are matched only when capitalised, so
"you may like this" stays as written.
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from acorn.core.kept import statement

# First names that are also common English words: matched only when capitalised.
EVERYDAY_WORDS = {
    "amber", "april", "august", "autumn", "bay", "bill", "bob", "brook", "daisy", "dawn",
    "eve", "faith", "grace", "hazel", "holly", "honey", "hope", "iris", "ivy", "jade",
    "joy", "june", "king", "lily", "mark", "may", "olive", "pat", "poppy", "river",
    "robin", "rose", "ruby", "sage", "sky", "summer", "sunny", "violet", "will", "win",
    "young", "brown", "green", "white", "black", "long", "little", "small", "rich",
}  # fmt: skip
APOSTROPHES = "'’‘`ʼ′"
HYPHENS = "-‐‑‒–—−"
# Letters from other scripts that look like Latin ones (Unicode's confusables, the common
# part): a name typed with a Cyrillic "о" must still be found.
CONFUSABLES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеорсухіјѕԁһӏԛԝɡΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοριυνκτχ",
    "ABESIJKMHOPCTXYaeopcyxijsdhlqwgABEZHIKMNOPTYXaopiuvktx",
)
# Between the letters of a name, text may put a space, hyphen or apostrophe, or leave one
# out ("O Neill", "ONeill", "SmithJones", "Mac Leod"), for names of this length or more.
SEPARABLE_FROM = 4
SEPARATOR = r"[\s'\-]?"


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _normal_char(char: str) -> str:
    """One character as it is matched: invisible format characters (zero-width spaces,
    soft hyphens, joiners) dropped, compatibility forms (full-width letters) and accents
    folded, look-alikes mapped to Latin, case folded, apostrophes and hyphens unified."""
    if unicodedata.category(char) == "Cf":
        return ""
    folded = _fold(unicodedata.normalize("NFKC", char)).translate(CONFUSABLES).casefold()
    return "".join(
        "'" if c in APOSTROPHES else "-" if c in HYPHENS else " " if c.isspace() else c
        for c in folded
    )


# Plain ASCII text (most entries) normalises to itself in lower case, with the odd
# apostrophe and every kind of space unified: the same answer as _normal_char, at once.
_ASCII_NORMAL = str.maketrans({"`": "'", **{c: " " for c in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"}})


def normalise(text: str) -> tuple[str, list[int]]:
    """The text as matched, and for each of its characters the index of the character of
    the original text it came from."""
    if text.isascii():
        return text.lower().translate(_ASCII_NORMAL), range(len(text))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for normal in _normal_char(char):
            out.append(normal)
            origin.append(index)
    return "".join(out), origin


def _variants(name: str) -> set[str]:
    """The name, normalised, and each part of a hyphenated or spaced name on its own."""
    name = " ".join(normalise(name)[0].split())
    if not name:
        return set()
    forms = {name}
    for part in re.split(r"[-\s]+", name):
        forms.add(part)
    return {f for f in forms if len(f.replace("'", "")) >= 2}


def _letters(form: str) -> str:
    return re.sub(r"[\s'\-]", "", form)


def _pattern(form: str) -> str:
    letters = _letters(form)
    if len(letters) < SEPARABLE_FROM:
        body = re.escape(form) if letters == form else SEPARATOR.join(map(re.escape, letters))
    else:
        body = SEPARATOR.join(re.escape(letter) for letter in letters)
    # A plural or a possessive written without its apostrophe: "Roses", "Oscars".
    return body + "s?"


def initials(first_name: str, last_name: str) -> str:
    letters = [part[0].upper() for part in (first_name.strip(), last_name.strip()) if part]
    return "".join(f"{letter}." for letter in letters)


class NameRedactor:
    """Built from the setting's children and the reader's own (cached by exactly those:
    see `redactor_for`)."""

    def __init__(self, children, own_ids):
        replacements: dict[str, str] = {}  # a form's letters -> initials
        own_forms: set[str] = set()
        for child in children:
            names = (child.first_name, child.last_name, f"{child.first_name} {child.last_name}")
            forms = {_letters(f) for f in set().union(*(_variants(n) for n in names))}
            if child.pk in own_ids:
                own_forms |= forms
                continue
            label = initials(child.first_name, child.last_name)
            for form in forms:
                replacements.setdefault(form, label)
        # The reader's own child keeps their name even when a classmate shares it.
        for form in own_forms:
            replacements.pop(form, None)
        self._done: dict[str, str] = {}
        self._forms = sorted(replacements, key=len, reverse=True)
        self._labels = [replacements[form] for form in self._forms]
        if self._forms:
            pattern = "|".join(f"(?P<n{i}>{_pattern(f)})" for i, f in enumerate(self._forms))
            self._pattern = re.compile(rf"(?<![\w'])(?:{pattern})(?!\w)")
        else:
            self._pattern = None

    def __call__(self, text: str) -> str:
        if not text or self._pattern is None:
            return text
        # The same texts are read again and again (every page of every family's visit).
        done = self._done.get(text)
        if done is None:
            if len(self._done) >= 2048:
                self._done.clear()
            done = self._done[text] = self._redact(text)
        return done

    def _redact(self, text: str) -> str:
        normal, origin = normalise(text)
        pieces = []
        done = 0
        for match in self._pattern.finditer(normal):
            index = int(match.lastgroup[1:])
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            while end < len(text) and not _normal_char(text[end]):
                end += 1  # an accent or invisible character still belongs to the name
            found = text[start:end]
            # Names that are also words count only when capitalised ("you may", "Rose").
            first = next((c for c in found if c.isalpha()), "")
            if self._forms[index] in EVERYDAY_WORDS and not first.isupper():
                continue
            label = self._labels[index]
            # "ask Yasmin." should read "ask Y.Z." rather than "ask Y.Z.."
            if text[end : end + 1] == "." and label.endswith("."):
                label = label[:-1]
            pieces += [text[done:start], label]
            done = end
        pieces.append(text[done:])
        return "".join(pieces)


def redactor_for(user, setting_id, *, staff: bool):
    """Staff read names as written; a parent gets a redactor for their setting."""
    if staff:
        return lambda text: text
    from acorn.children.selectors import linked_child_ids

    return redactor_keeping(setting_id, linked_child_ids(user))


def redactor_keeping(setting_id, own_ids):
    """The setting's children as initials, these children's names as written: a text as
    the family of these children reads it, whoever asks (a keepsake, L-3)."""
    # The names themselves are the cache key, so a child added or renamed makes a new
    # redactor on the very next request, in every process; only the building is saved.
    names = names_of_setting(setting_id)
    return _redactor(names, frozenset(own_ids) & {name.pk for name in names})


def names_of_setting(setting_id) -> tuple:
    """Every child of the setting by id: (pk, first name, last name)."""
    return tuple(ChildName(*row) for row in _names_of_setting.rows(setting_id))


@statement
def _names_of_setting(setting_id):
    """Asked on every page a parent reads: compiled once per process (`acorn.core.kept`)."""
    from acorn.children.models import Child

    return (
        Child.objects.filter(setting_id=setting_id)
        .order_by("pk")
        .values_list("id", "first_name", "last_name")
    )


class ChildName(NamedTuple):
    pk: object
    first_name: str
    last_name: str


@lru_cache(maxsize=256)
def _redactor(names: tuple, own_ids: frozenset) -> NameRedactor:
    return NameRedactor(names, own_ids)
