"""C-4: text shown to a parent names other children by initials only.

Text is written by people, so a child's name can turn up in any form: "Rose", "ROSE",
"Rose's", "O'Neill" or "O’Neill", "Smith-Jones" or just "Jones", "Zoë" or "Zoe". The
redactor replaces every such form of every other child of the setting with that child's
initials; the reader's own children keep their names. It errs on the side of hiding:
a capitalised "Will" at the start of a sentence becomes initials too. Names that are
also everyday words ("may", "rose", "will") are matched only when capitalised, so
"you may like this" stays as written.
"""

import re
import unicodedata

# First names that are also common English words: matched only when capitalised.
EVERYDAY_WORDS = {
    "amber", "april", "august", "autumn", "bay", "bill", "bob", "brook", "daisy", "dawn",
    "eve", "faith", "grace", "hazel", "holly", "honey", "hope", "iris", "ivy", "jade",
    "joy", "june", "king", "lily", "mark", "may", "olive", "pat", "poppy", "river",
    "robin", "rose", "ruby", "sage", "sky", "summer", "sunny", "violet", "will", "win",
    "young", "brown", "green", "white", "black", "long", "little", "small", "rich",
}  # fmt: skip
APOSTROPHES = "'’‘`"


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _variants(name: str) -> set[str]:
    """Every way this name may be written: as given, without accents, with either kind
    of apostrophe or none, and each part of a hyphenated or spaced name on its own."""
    name = " ".join(name.split())
    if not name:
        return set()
    forms = {name, _fold(name)}
    for form in list(forms):
        for mark in APOSTROPHES:
            if mark in form:
                forms |= {form.replace(mark, other) for other in APOSTROPHES} | {
                    form.replace(mark, "")
                }
    for form in list(forms):
        for part in re.split(r"[-\s]+", form):
            if len(part) >= 2:
                forms.add(part)
    return {f for f in forms if len(f) >= 2}


def initials(first_name: str, last_name: str) -> str:
    letters = [part[0].upper() for part in (first_name.strip(), last_name.strip()) if part]
    return "".join(f"{letter}." for letter in letters)


class NameRedactor:
    """Built once per request from the setting's children and the reader's own."""

    def __init__(self, children, own_ids):
        replacements: dict[str, str] = {}
        case_sensitive: set[str] = set()
        own_forms: set[str] = set()
        for child in children:
            names = (child.first_name, child.last_name, f"{child.first_name} {child.last_name}")
            forms = set().union(*(_variants(n) for n in names))
            if child.pk in own_ids:
                own_forms |= {f.lower() for f in forms}
                continue
            label = initials(child.first_name, child.last_name)
            for form in forms:
                replacements.setdefault(form.lower(), label)
                if form.lower() in EVERYDAY_WORDS:
                    case_sensitive.add(form.lower())
        # The reader's own child keeps their name even when a classmate shares it.
        for form in own_forms:
            replacements.pop(form, None)
        self._labels = replacements
        self._case_sensitive = case_sensitive
        if replacements:
            alternatives = sorted(replacements, key=len, reverse=True)
            pattern = "|".join(re.escape(a) for a in alternatives)
            self._pattern = re.compile(rf"(?<![\w’'])({pattern})(?![\w])", re.IGNORECASE)
        else:
            self._pattern = None

    def _swap(self, match: re.Match) -> str:
        found = match.group(1)
        key = found.lower()
        if key in self._case_sensitive and not found[:1].isupper():
            return found
        label = self._labels[key]
        # "ask Yasmin." should read "ask Y.Z." rather than "ask Y.Z.."
        if match.string[match.end() : match.end() + 1] == "." and label.endswith("."):
            return label[:-1]
        return label

    def __call__(self, text: str) -> str:
        if not text or self._pattern is None:
            return text
        # Names are matched on an accent-free copy too, so "Zoë" and "Zoe" both go.
        return self._pattern.sub(self._swap, text)


def redactor_for(user, setting_id, *, staff: bool):
    """Staff read names as written; a parent gets a redactor for their setting."""
    if staff:
        return lambda text: text
    from acorn.children.models import Child
    from acorn.children.selectors import linked_child_ids

    children = Child.objects.filter(setting_id=setting_id).only("id", "first_name", "last_name")
    return NameRedactor(children, linked_child_ids(user))
