"""Hints and errors are tied to their fields for screen readers (issue 14): Django points
each widget's aria-describedby at `<id>_helptext` and `<id>_error`, so the shared field
templates must render exactly those ids. (Every page's ids are checked in the browser by
tests/e2e/test_every_page.py; this covers the error state, which a GET never shows.)"""

import re

from django import forms
from django.template.loader import render_to_string


class Sample(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the birth certificate.")
    agreed = forms.BooleanField(label="I agree", help_text="You can change this later.")


def _described_ids(html):
    return {i for ids in re.findall(r'aria-describedby="([^"]+)"', html) for i in ids.split()}


def _ids(html):
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_hints_and_errors_have_the_ids_their_fields_point_at():
    form = Sample(data={})
    assert not form.is_valid()
    for template in ("_field.html", "_check_or_field.html"):
        for field in form:
            html = render_to_string(template, {"field": field})
            described = _described_ids(html)
            assert described, f"{template} {field.name}: nothing describes the field"
            assert described <= _ids(html), (template, field.name, described - _ids(html))
            assert f"{field.auto_id}_helptext" in described
            assert f"{field.auto_id}_error" in described
