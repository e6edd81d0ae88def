"""Render Django form fields with USWDS classes (used by the allauth element overrides and our forms)."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def _widget_class(widget: forms.Widget, *, error: bool) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "usa-checkbox__input"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""  # rendered option by option in the template
    if isinstance(widget, forms.Select):
        return "usa-select usa-input--error" if error else "usa-select"
    if isinstance(widget, forms.Textarea):
        return "usa-textarea usa-input--error" if error else "usa-textarea"
    return "usa-input usa-input--error" if error else "usa-input"


@register.filter
def uswds_widget(field: BoundField) -> SafeString:
    """The field's widget with USWDS classes; Django adds aria-invalid and aria-describedby."""
    widget = field.field.widget
    classes = " ".join(c for c in (widget.attrs.get("class", ""), _widget_class(widget, error=bool(field.errors))) if c)
    return field.as_widget(attrs={"class": classes} if classes else None)


@register.filter
def field_kind(field: BoundField) -> str:
    """checkbox, radio, checkboxes, hidden or input: which USWDS markup the field needs."""
    widget = field.field.widget
    if field.is_hidden:
        return "hidden"
    # CheckboxSelectMultiple subclasses RadioSelect in Django: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"
