from django import forms

from acorn.org.models import Membership


class StaffInviteForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.PRACTITIONER)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
