from django import forms
from django.utils import timezone

from acorn.journal.models import AREAS_OF_LEARNING


class ObservationForm(forms.Form):
    children = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one child."},
    )
    text = forms.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        error_messages={"required": "Write what you saw."},
    )
    observed_on = forms.DateField(
        label="Date observed", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    areas = forms.MultipleChoiceField(
        label="Areas of learning",
        required=False,
        choices=list(AREAS_OF_LEARNING.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    next_steps = forms.CharField(
        label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.children_by_id = {str(child.pk): child for child in children}
        self.fields["children"].choices = [(str(c.pk), c.full_name) for c in children]
        self.fields["observed_on"].initial = timezone.localdate()

    def chosen_children(self):
        return [self.children_by_id[pk] for pk in self.cleaned_data["children"]]
