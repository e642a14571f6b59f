from django import forms

from acorn.suitability.models import StatusCheck

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DbsCheckForm(forms.Form):
    certificate_number = forms.CharField(
        max_length=20, help_text="12 digits, at the top right of the certificate."
    )
    issued_on = forms.DateField(label="Date of issue", widget=DATE)
    barred_list = forms.BooleanField(
        label="The certificate includes a check of the children's barred list"
    )
    original_seen = forms.BooleanField(label="I have seen the original certificate")


class UpdateServiceForm(forms.Form):
    subscription_id = forms.CharField(label="Update Service subscription ID", max_length=32)
    renews_on = forms.DateField(label="Renewal date", widget=DATE)


class StatusCheckForm(forms.Form):
    checked_on = forms.DateField(label="Date of the status check", widget=DATE)
    result = forms.ChoiceField(choices=StatusCheck.Result.choices)


class TrainingForm(forms.Form):
    completed_on = forms.DateField(label="Completed on", widget=DATE)
    course = forms.CharField(max_length=150, initial="Safeguarding and child protection")


class DeclarationForm(forms.Form):
    signature_name = forms.CharField(
        label="Type your full name to sign",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
