"""The leaving form (L-1): the date, and where the child goes (a setting on Acorn found by
searching the installation's directory, or a name)."""

from django import forms

from acorn.children.forms import DateInput

NOT_ON_ACORN = "elsewhere"


class LeavingForm(forms.Form):
    leaving_on = forms.DateField(
        label="Leaving date",
        help_text="Their last day with you is the day before.",
        widget=DateInput(),
    )
    destination = forms.ChoiceField(
        label="Where are they going?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the child is going."},
    )
    destination_name = forms.CharField(
        label="Name of the school or setting",
        required=False,
        max_length=150,
        help_text="For somewhere not on Acorn, for example “Oak Primary School”.",
    )

    def __init__(self, *args, settings=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(s.pk), f"{s.name} (on Acorn)") for s in settings]
        choices.append((NOT_ON_ACORN, "Somewhere not on Acorn"))
        self.fields["destination"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("destination") == NOT_ON_ACORN and not data.get("destination_name", "").strip():
            self.add_error("destination_name", "Say where the child is going.")
        return data

    def destination_setting_id(self):
        value = self.cleaned_data["destination"]
        return None if value == NOT_ON_ACORN else value


class TransferAcceptForm(forms.Form):
    key_person_id = forms.ChoiceField(
        label="Key person",
        help_text="Staff whose suitability checks are complete.",
        error_messages={"required": "Choose the child's key person."},
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_person_id"].choices = [("", "Choose…")] + [
            (str(p.pk), p.name) for p in staff
        ]


class TransferDeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why can't you take them?",
        help_text="The other setting reads this, and may pass it on to the family.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Please say why, so the other setting can tell the family."},
    )
