"""Posting the admin's own forms: the data a person would send back from a page as shown."""

import json


def _value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value if isinstance(value, str | int) else str(value)


def admin_form_data(page, **changes) -> dict:
    """The add/change page's form (and its inlines' management forms and rows) as the browser
    would post it unchanged, then ``changes`` (field name → what the person typed)."""
    data: dict = {}

    def put(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else _value(value)

    put(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    data.update({name: _value(value) for name, value in changes.items()})
    return data


def form_errors(page) -> dict[str, list[str]]:
    """The errors the admin shows on its form, by field ("__all__" above the form)."""
    return {name: list(errors) for name, errors in page.context["adminform"].form.errors.items()}
