"""The task page's list of secure links, with each link's status as of now.

The partial ``feedback/links/_task_links.html`` reads its rows through this tag, so whichever
page includes it shows the same statuses (one query, whatever the number of links)."""

from __future__ import annotations

from django import template

from core import clock

from ..models import ParticipationTask
from ..services.links import LinkRow, links_for_task

register = template.Library()


@register.simple_tag
def secure_link_rows(task: ParticipationTask) -> list[LinkRow]:
    return links_for_task(task=task, now=clock.now())
