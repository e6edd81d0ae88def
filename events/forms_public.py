"""The public events filter (a GET form that works without JavaScript)."""

from __future__ import annotations

import datetime
import html
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.selectors import EventFilters

ACCESSIBILITY_CHOICES = [
    ("step_free_access", _("Step-free access")),
    ("interpreter", _("Interpreter")),
    ("childcare", _("Childcare")),
    ("captioning", _("Captioning")),
]
# Dates outside these years are typing mistakes, and far enough out would overflow a datetime.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
MAX_PAGE_DIGITS = 6


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker; typed dates work too (see DATE_INPUT_FORMATS)

    def __init__(self) -> None:
        super().__init__(attrs={"class": "usa-input"}, format="%Y-%m-%d")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        help_text=_("For example 2026-04-28"),
        error_messages={"invalid": _("Enter a real date, for example 2026-04-28.")},
    )


class EventFilterForm(forms.Form):
    """Narrow the events list. Unknown values are form errors (a 400), never a 500.

    Districts and languages come as (value, label) lists from the caller (cached there), so
    checking and drawing the form reads no rows.
    """

    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no district called “%(value)s”. Choose one from the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of event"),
        required=False,
        choices=[("", _("Any kind")), *Event.Kind.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no kind of event called “%(value)s”. Choose one from the list.")},
    )
    language = forms.ChoiceField(
        label=_("Language offered"),
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no language “%(value)s” in the list. Choose one from it.")},
    )
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibility"),
        required=False,
        choices=ACCESSIBILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("There is no accessibility feature called “%(value)s”. Tick the ones you need.")
        },
    )

    def __init__(
        self,
        *args: Any,
        district_choices: list[tuple[str, str]],
        language_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("Any district")), *district_choices]
        self.fields["language"].choices = [("", _("Any language")), *language_choices]

    def clean_date_from(self) -> datetime.date | None:
        return self._check_range(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> datetime.date | None:
        return self._check_range(self.cleaned_data.get("date_to"))

    @staticmethod
    def _check_range(day: datetime.date | None) -> datetime.date | None:
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The “to” date must be on or after the “from” date."))
        # The page is not a visible field, but a wrong one is still the visitor's to fix.
        raw_page = (self.data.get("page") or "1").strip()
        if not raw_page.isascii() or not raw_page.isdigit() or len(raw_page) > MAX_PAGE_DIGITS or int(raw_page) < 1:
            self.add_error(None, _("The page number must be a whole number, such as 2."))
        else:
            cleaned["page"] = int(raw_page)
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields and name != "accessibility":
                # Django links the field to its message (aria-describedby="<id>_error"); USWDS
                # wants a class too.
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} usa-input--error".strip()

    def display_values(self) -> dict[str, Any]:
        """What each field shows: the cleaned value when it is valid, else what was sent."""
        cleaned = getattr(self, "cleaned_data", {})
        values: dict[str, Any] = {}
        for name in ("district", "kind", "language", "date_from", "date_to"):
            if name in cleaned and name not in self.errors:
                value = cleaned[name]
                values[name] = value.isoformat() if isinstance(value, datetime.date) else (value or "")
            else:
                values[name] = self.data.get(name, "")
        if "accessibility" in cleaned and "accessibility" not in self.errors:
            values["accessibility"] = set(cleaned["accessibility"])
        else:
            values["accessibility"] = (
                set(self.data.getlist("accessibility")) if hasattr(self.data, "getlist") else set()
            )
        return values

    def filters(self) -> EventFilters:
        data = self.cleaned_data
        return EventFilters(
            district=data.get("district") or "",
            kind=data.get("kind") or "",
            language=data.get("language") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            accessibility=tuple(
                feature for feature, _label in ACCESSIBILITY_CHOICES if feature in data["accessibility"]
            ),
        )


# --- Drawing the form -----------------------------------------------------------------------------
#
# The filter is drawn for every request (a form is never cached), in Python rather than through
# Django's widget templates or a template loop: on a list page served from its cached shell, those
# would cost several times everything else. The markup is USWDS; labels, hints and error messages
# are linked to their fields (aria-describedby), as in templates/portal/includes/field.html.


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _field_errors(name: str, errors: list[str]) -> tuple[str, str, str, str]:
    """(group class, label class, control class, message HTML) for a field with these errors."""
    if not errors:
        return "", "", "", ""
    message = f'<span class="usa-error-message" id="id_{name}_error">{_esc(" ".join(errors))}</span>'
    return " usa-form-group--error", " usa-label--error", " usa-input--error", message


def _select_html(name: str, *, empty: str, options: list[tuple[str, str]], selected: str, errors: list[str]) -> str:
    group, label_class, control, message = _field_errors(name, errors)
    described = f' aria-invalid="true" aria-describedby="id_{name}_error"' if errors else ""
    option_html = "".join(
        f'<option value="{_esc(value)}"{" selected" if value == selected else ""}>{_esc(label)}</option>'
        for value, label in options
    )
    return (
        f'<div class="usa-form-group{group}"><label class="usa-label{label_class}" for="id_{name}">'
        f"{_esc(EventFilterForm.base_fields[name].label)}</label>{message}"
        f'<select class="usa-select{control}" name="{name}" id="id_{name}"{described}>'
        f'<option value="">{_esc(empty)}</option>{option_html}</select></div>'
    )


def _date_html(name: str, *, value: str, errors: list[str]) -> str:
    group, label_class, control, message = _field_errors(name, errors)
    field = EventFilterForm.base_fields[name]
    described = f"id_{name}_helptext" + (f" id_{name}_error" if errors else "")
    invalid = ' aria-invalid="true"' if errors else ""
    return (
        f'<div class="usa-form-group{group}"><label class="usa-label{label_class}" for="id_{name}">'
        f"{_esc(field.label)}</label>"
        f'<div class="usa-hint" id="id_{name}_helptext">{_esc(field.help_text)}</div>{message}'
        f'<input class="usa-input{control}" type="date" name="{name}" id="id_{name}" value="{_esc(value)}" '
        f'min="{EARLIEST_DATE.isoformat()}" max="{LATEST_DATE.isoformat()}" aria-describedby="{described}"'
        f"{invalid}></div>"
    )


def _checkboxes_html(*, checked: set[str], errors: list[str]) -> str:
    described = ' aria-describedby="id_accessibility_error"' if errors else ""
    boxes = "".join(
        f'<div class="usa-checkbox tablet:grid-col-3 bg-transparent">'
        f'<input class="usa-checkbox__input" id="id_accessibility_{index}" type="checkbox" name="accessibility" '
        f'value="{_esc(value)}"{" checked" if value in checked else ""}{described}>'
        f'<label class="usa-checkbox__label" for="id_accessibility_{index}">{_esc(label)}</label></div>'
        for index, (value, label) in enumerate(ACCESSIBILITY_CHOICES)
    )
    message = (
        f'<span class="usa-error-message" id="id_accessibility_error">{_esc(" ".join(errors))}</span>' if errors else ""
    )
    group = " usa-form-group usa-form-group--error" if errors else ""
    # Translated outside the f-strings below: xgettext does not look inside f-strings.
    legend = _esc(_("Accessibility features needed"))
    return (
        f'<fieldset class="usa-fieldset margin-top-3{group}">'
        f'<legend class="usa-legend">{legend}</legend>{message}'
        f'<div class="grid-row grid-gap-2">{boxes}</div></fieldset>'
    )


def filter_form_html(
    *,
    values: dict[str, Any],
    district_choices: list[tuple[str, str]],
    language_choices: list[tuple[str, str]],
    errors: dict[str, list[str]],
    past: bool,
    has_query: bool,
) -> SafeString:
    """The filter form's HTML for one request. `values`: what each field shows (display_values()).

    Every value and label is escaped here (html.escape, as Django's own escape does).
    """
    action = _esc(reverse("events:past" if past else "events:list"))
    kinds = [(value, str(label)) for value, label in Event.Kind.choices]
    cells = [
        (4, _select_html("district", empty=_("Any district"), options=district_choices,
                         selected=values["district"], errors=errors.get("district", []))),
        (4, _select_html("kind", empty=_("Any kind"), options=kinds,
                         selected=values["kind"], errors=errors.get("kind", []))),
        (4, _select_html("language", empty=_("Any language"), options=language_choices,
                         selected=values["language"], errors=errors.get("language", []))),
        (6, _date_html("date_from", value=values["date_from"], errors=errors.get("date_from", []))),
        (6, _date_html("date_to", value=values["date_to"], errors=errors.get("date_to", []))),
    ]  # fmt: skip
    fields = "".join(f'<div class="tablet:grid-col-{width}">{cell}</div>' for width, cell in cells)
    clear = ""
    if has_query:
        clear = f'<a class="usa-button usa-button--unstyled portal-filter__clear" href="{action}">'
        clear += _esc(_("Clear filters")) + "</a>"
    title = _esc(_("Filter events"))
    submit = _esc(_("Show events"))
    return mark_safe(  # every interpolated value above is escaped
        f'<section class="portal-filter" aria-labelledby="filter-heading">'
        f'<h2 class="usa-sr-only" id="filter-heading">{title}</h2>'
        f'<form class="usa-form portal-filter__form" method="get" action="{action}" aria-label="{title}">'
        f'<div class="grid-row grid-gap-2">{fields}</div>'
        f"{_checkboxes_html(checked=values['accessibility'], errors=errors.get('accessibility', []))}"
        f'<div class="portal-filter__actions">'
        f'<button type="submit" class="usa-button">{submit}</button>{clear}</div>'
        "</form></section>"
    )
