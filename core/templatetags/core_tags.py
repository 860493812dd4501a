from __future__ import annotations

from typing import Any

from django import template
from django.forms import MultiWidget

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms: Any) -> dict[str, Any]:
    """One GOV.UK error summary for every form (and formset) on the page."""
    items: list[tuple[str, str]] = []
    for form in forms:
        if form is None:
            continue
        subforms = list(form.forms) if hasattr(form, "forms") else [form]
        if hasattr(form, "non_form_errors"):
            first = subforms[0].visible_fields()[0].auto_id if subforms and subforms[0].visible_fields() else ""
            items += [(first, str(e)) for e in form.non_form_errors()]
        for sub in subforms:
            if not sub.errors:
                continue
            fields = sub.visible_fields()
            first_id = fields[0].auto_id if fields else ""
            items += [(first_id, str(e)) for e in sub.non_field_errors()]
            for field in fields:
                # GOV.UK radios and checkboxes: the summary links to the first option; a date
                # input (several boxes) to its first box, the day.
                multi = field.widget_type in {"radioselect", "checkboxselectmultiple"}
                split = isinstance(field.field.widget, MultiWidget)
                target = f"id_{field.html_name}_1" if multi else f"{field.auto_id}_0" if split else field.auto_id
                items += [(target, str(e)) for e in field.errors]
    return {"error_items": items}
