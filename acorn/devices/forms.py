from django import forms

from acorn.devices.models import Device


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What people call it, e.g. “Room 2 iPad”.")
    kind = forms.ChoiceField(choices=Device.Kind.choices)
    serial = forms.CharField(label="Serial number", max_length=100, required=False)
    asset_tag = forms.CharField(max_length=100, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignOutRequestForm(forms.Form):
    device = forms.ModelChoiceField(queryset=Device.objects.none(), empty_label=None)
    reason = forms.CharField(
        label="Why is it leaving the setting?", widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_back = forms.DateTimeField(
        label="When will it be back?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    signature_name = forms.CharField(
        label="Type your full name to sign", max_length=150, help_text="As it appears in Acorn."
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices


class SignatureForm(forms.Form):
    signature_name = forms.CharField(label="Type your full name to authorise", max_length=150)


class MissingForm(forms.Form):
    note = forms.CharField(
        label="What happened? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
