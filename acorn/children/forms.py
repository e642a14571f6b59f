from django import forms

from acorn.children.models import Child
from acorn.org.selectors import key_person_choices


class DateInput(forms.DateInput):
    """A native date picker; it needs ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002
        super().__init__(attrs, format=format)


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "start_date",
            "key_person",
            "backup_key_person",
            "room",
            "sex",
            "send_stage",
            "eal",
            "home_language",
            "funded_entitlement",
            "two_year_funding",
            "eypp",
        ]
        widgets = {"date_of_birth": DateInput(), "start_date": DateInput()}
        labels = {
            "backup_key_person": "Back-up key person",
            "send_stage": "Special educational needs (SEND)",
            "eal": "English is an additional language",
            "home_language": "Home language",
            "funded_entitlement": "Funded hours",
            "two_year_funding": "Funded place for a two-year-old",
            "eypp": "Early years pupil premium",
        }
        help_texts = {
            "room": "For example Acorns or Rainbow room.",
            "sex": "Used only for the setting's own monitoring; parents never see it here.",
        }

    def __init__(self, *args, setting, **kwargs):
        super().__init__(*args, **kwargs)
        people = key_person_choices(setting)
        self.fields["key_person"].queryset = people
        self.fields["backup_key_person"].queryset = people
        self.fields["key_person"].empty_label = "Choose a key person"
        self.fields["backup_key_person"].empty_label = "No back-up"
        self.fields["sex"].choices = [("", "Not recorded"), *Child.Sex.choices]
        # Monitoring details are optional when adding a child: the defaults apply.
        for name in ("send_stage", "funded_entitlement"):
            self.fields[name].required = False

    def clean_send_stage(self):
        return self.cleaned_data.get("send_stage") or Child.SendStage.NONE

    def clean_funded_entitlement(self):
        return self.cleaned_data.get("funded_entitlement") or Child.FundedEntitlement.NONE


class ParentInviteForm(forms.Form):
    name = forms.CharField(label="Parent or carer's name", max_length=150)
    email = forms.EmailField(label="Their email address")
