import re

from django import forms

from acorn.org.models import Membership


class StaffInviteForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.PRACTITIONER)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class SettingRulesForm(forms.Form):
    """Networks, proxies, session times and two-step sign-in, as session leaders edit them.
    Session times are typed per day as ranges, e.g. "08:45-11:45, 12:15-15:00"."""

    on_site_networks = forms.CharField(
        label="The setting's own networks",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, as an address (203.0.113.7) or a range (203.0.113.0/24). "
        "Ask whoever looks after your internet connection for the public address.",
    )
    trusted_proxies = forms.CharField(
        label="Trusted proxies",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if your connection goes through a proxy that adds X-Forwarded-For. "
        "Leave empty if you're not sure.",
    )
    mfa_for_practitioners = forms.BooleanField(
        label="Practitioners also use two-step sign-in", required=False
    )

    def __init__(self, *args, setting, **kwargs):
        initial = {
            "on_site_networks": "\n".join(setting.on_site_networks),
            "trusted_proxies": "\n".join(setting.trusted_proxies),
            "mfa_for_practitioners": setting.mfa_for_practitioners,
        }
        for day in range(7):
            ranges = [
                f"{s['start']}-{s['end']}" for s in setting.session_times if s["weekday"] == day
            ]
            initial[f"day_{day}"] = ", ".join(ranges)
        super().__init__(*args, initial=initial, **kwargs)
        for day, name in enumerate(WEEKDAY_NAMES):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                required=False,
                help_text="e.g. 08:45-11:45, 12:15-15:00" if day == 0 else "",
            )

    def clean(self):
        cleaned = super().clean()
        # Each day's own field says what is wrong with it, naming the day.
        for day, name in enumerate(WEEKDAY_NAMES):
            for part in self._lines(cleaned.get(f"day_{day}", "")):
                start, _, end = (p.strip() for p in part.replace("–", "-").partition("-"))
                if not HHMM.match(start):
                    problem = "start time must be HH:MM, e.g. 08:45."
                elif not HHMM.match(end):
                    problem = "end time must be HH:MM, e.g. 15:15."
                elif start >= end:
                    problem = "a session must end after it starts."
                else:
                    continue
                self.add_error(f"day_{day}", f"{name}: {problem}")
                break
        return cleaned

    @staticmethod
    def _lines(text):
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]

    def rules(self) -> dict:
        sessions = []
        for day in range(7):
            for part in self._lines(self.cleaned_data.get(f"day_{day}", "")):
                start, _, end = part.replace("–", "-").partition("-")
                sessions.append({"weekday": day, "start": start.strip(), "end": end.strip()})
        return {
            "on_site_networks": self._lines(self.cleaned_data["on_site_networks"]),
            "trusted_proxies": self._lines(self.cleaned_data["trusted_proxies"]),
            "session_times": sessions,
            "mfa_for_practitioners": self.cleaned_data["mfa_for_practitioners"],
        }
