"""{% fanout_report_for update as progress %}: the fan-out's progress, for pages that include the partial."""

from __future__ import annotations

from django import template

from transparency.models import Update
from transparency.services.fanout import FanoutReport, fanout_report

register = template.Library()


@register.simple_tag
def fanout_report_for(update: Update) -> FanoutReport:
    return fanout_report(update=update)
