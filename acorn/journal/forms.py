from django import forms
from django.utils import timezone

from acorn.journal.models import AREAS_OF_LEARNING


def _aspect_choices():
    from acorn.eyfs.selectors import codes

    return [(code, name) for code, (_area, name) in codes().aspects.items()]


def _characteristic_choices():
    from acorn.eyfs.selectors import codes

    return list(codes().characteristics.items())


def _tags_field(label, choices) -> forms.MultipleChoiceField:
    """An optional row of chips (areas, aspects, how they learn): the capture and edit
    forms tag entries the same way."""
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


class ObservationForm(forms.Form):
    children = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one child."},
    )
    text = forms.CharField(
        label="What happened?",
        required=False,
        help_text="Write what you saw, add a photo or video, or both.",
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": "id_text_count"}),
        max_length=20_000,
    )
    observed_on = forms.DateField(
        label="Date observed", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    areas = _tags_field("Areas of learning", list(AREAS_OF_LEARNING.items()))
    # Issue 10: optional chips that add no step to the quick path (an area's aspects
    # appear once the area is chosen).
    aspects = _tags_field("Aspects (Early Learning Goals)", _aspect_choices)
    characteristics = _tags_field("How they learn", _characteristic_choices)
    next_steps = forms.CharField(
        label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    media_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    client_ref = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.children_by_id = {str(child.pk): child for child in children}
        self.fields["children"].choices = [(str(c.pk), c.full_name) for c in children]
        self.fields["observed_on"].initial = timezone.localdate()

    def chosen_children(self):
        return [self.children_by_id[pk] for pk in self.cleaned_data["children"]]

    def chosen_media_ids(self) -> list[str]:
        return [m for m in (self.cleaned_data.get("media_ids") or "").split(",") if m.strip()]


class ContributionForm(forms.Form):
    text = forms.CharField(
        label="What did your child do?",
        required=False,
        help_text="Tell us in a few words, add a photo or video, or both.",
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": "id_text_count"}),
        max_length=20_000,
    )
    observed_on = forms.DateField(
        label="When was it?", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    media_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    client_ref = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate()

    def chosen_media_ids(self) -> list[str]:
        return [m for m in (self.cleaned_data.get("media_ids") or "").split(",") if m.strip()]


class ObservationEditForm(forms.Form):
    # Required only where the page shows the picker (`children_shown`): see the view.
    children = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    children_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label="What happened?", required=False, widget=forms.Textarea)
    observed_on = forms.DateField(
        label="Date observed", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    areas = _tags_field("Areas of learning", list(AREAS_OF_LEARNING.items()))
    aspects = _tags_field("Aspects (Early Learning Goals)", _aspect_choices)
    characteristics = _tags_field("How they learn", _characteristic_choices)
    next_steps = forms.CharField(label="Next steps", required=False, widget=forms.Textarea)
    # The photos and videos it keeps and gains, in order (the capture page's uploader).
    media_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    # When the entry was last saved as this form read it: a later save by someone else
    # is a conflict, not a silent overwrite.
    version = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.children_by_id = {str(child.pk): child for child in children}
        self.fields["children"].choices = [(str(c.pk), c.full_name) for c in children]

    def chosen_children(self):
        """The children chosen, or None if the form had no picker (they stay as they are)."""
        if not self.cleaned_data.get("children_shown"):
            return None
        return [self.children_by_id[pk] for pk in self.cleaned_data["children"]]

    def clean(self):
        data = super().clean()
        if data.get("children_shown") and not data.get("children"):
            self.add_error("children", "An entry needs at least one child.")
        return data

    def chosen_media_ids(self) -> list[str]:
        return [m for m in (self.cleaned_data.get("media_ids") or "").split(",") if m.strip()]


class CommentForm(forms.Form):
    text = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 3}))
    child = forms.CharField(required=False, widget=forms.HiddenInput)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the parent will see this)", widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback for the author", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    discuss = forms.BooleanField(label="Discuss at the next staff meeting", required=False)


class JournalFilterForm(forms.Form):
    """The journal's filters and search (a GET form, so a filtered journal is a link)."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    area = forms.ChoiceField(
        label="Area of learning",
        required=False,
        choices=[("", "Every area"), *AREAS_OF_LEARNING.items()],
    )
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    photos = forms.BooleanField(label="Only entries with photos or videos", required=False)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Choose a date on or after the first one.")
        return cleaned

    def wanted(self):
        """The filter to apply: the valid parts of what was asked (a mistyped date is
        said beside its box and left out, rather than emptying the journal)."""
        from acorn.core.params import date_clamped
        from acorn.journal.selectors import JournalFilter

        if not self.is_bound:
            return JournalFilter()
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return JournalFilter(
            area=data.get("area") or "",
            since=date_clamped(data.get("since")),
            until=date_clamped(data.get("until")),
            with_media=bool(data.get("photos")),
            text=(data.get("q") or "").strip(),
        )
