"""Audit programme pages: the annual audit plan, thematic / ad-hoc / multi-agency audits, and
partner contributors' sections (seed 6.1.3–6.1.5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from organisation.models import Role
from organisation.scope import Scope, get_case_file_or_404

from .. import permissions
from ..forms_programme import (
    AuditorsForm,
    ChildAdHocForm,
    CriteriaForm,
    FindingsForm,
    PartnerSectionAddForm,
    PartnerSectionForm,
    PlanItemForm,
    PlanReviewForm,
    ProgrammeActionForm,
    ProgrammeForm,
)
from ..models import AuditPlan, PartnerSection, ProgrammeAudit
from ..selectors import audits_visible, programmes_visible
from ..services import programme as services
from ..services.sampling import SAMPLED_KEY, SamplingError, cases_matching, sample_draw, sampled_cases


def _programme_or_404(scope: Scope, programme_id: int) -> ProgrammeAudit:
    try:
        return (
            programmes_visible(scope)
            .select_related("tool_version__tool", "plan_item", "case_file")
            .get(pk=programme_id)
        )
    except ProgrammeAudit.DoesNotExist:
        raise Http404("No audit found") from None


def _not_for_partners(scope: Scope) -> None:
    if permissions.is_partner_only(scope):
        raise Http404("Not found")


# --- the annual audit plan ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def audit_plan(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _not_for_partners(scope)
    if not (permissions.can_edit_programme(scope) or permissions.can_list_audits(scope)):
        raise PermissionDenied
    if request.method == "POST" and not permissions.can_edit_programme(scope):
        raise PermissionDenied
    year = services.plan_year_for(scope.today)
    plan = AuditPlan.objects.filter(year_starting=year).first()
    if plan is None and request.method == "POST":
        plan = services.plan_get_or_create(year_starting=year, actor=request.user)
    action = request.POST.get("action")
    item_form = review_form = None
    if permissions.can_edit_programme(scope):
        stand_in = plan or AuditPlan(year_starting=year)
        item_form = PlanItemForm(request.POST if action == "item" else None, plan=stand_in)
        review_form = PlanReviewForm(request.POST if action == "review" else None, today=scope.today)
    if request.method == "POST":
        if action == "item" and item_form.is_valid():
            try:
                services.plan_item_add(plan=plan, actor=request.user, **item_form.cleaned_data)
            except services.ProgrammeError as exc:
                item_form.add_error(None, str(exc))
            else:
                messages.success(request, "The item has been added to the plan.")
                return redirect("audits:audit-plan")
        elif action == "review" and review_form.is_valid():
            services.plan_review_record(plan=plan, actor=request.user, **review_form.cleaned_data)
            messages.success(request, "The review has been recorded.")
            return redirect("audits:audit-plan")
        elif action not in {"item", "review"}:
            return redirect("audits:audit-plan")
    items = list(plan.items.select_related("lead").order_by("month", "theme")) if plan else []
    reviews = list(plan.reviews.select_related("recorded_by").order_by("reviewed_on", "pk")) if plan else []
    return render(
        request,
        "audits/programme/plan.html",
        {
            "plan": plan,
            "year": year,
            "items": items,
            "reviews": reviews,
            "item_form": item_form,
            "review_form": review_form,
            "can_edit": permissions.can_edit_programme(scope),
            "has_errors": bool((item_form and item_form.errors) or (review_form and review_form.errors)),
        },
    )


# --- thematic, ad-hoc and multi-agency audits ---------------------------------------------------
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _not_for_partners(scope)
    visible = programmes_visible(scope)
    if not (permissions.can_edit_programme(scope) or permissions.can_list_audits(scope) or visible.exists()):
        raise PermissionDenied
    programmes = list(
        visible.select_related("tool_version__tool")
        .annotate(audit_count=Count("audits", distinct=True))
        .order_by("-created_at", "pk")
    )
    return render(
        request,
        "audits/programme/list.html",
        {"programmes": programmes, "can_edit": permissions.can_edit_programme(scope)},
    )


@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _not_for_partners(scope)
    if not permissions.can_edit_programme(scope):
        raise PermissionDenied
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except services.ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The audit has been created. Now set its sample criteria.")
            return redirect("audits:programme-detail", programme_id=programme.pk)
    return render(request, "audits/programme/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def programme_new_for_child(request: HttpRequest, case_reference: str) -> HttpResponse:
    scope = request.scope
    _not_for_partners(scope)
    if not permissions.can_edit_programme(scope):
        raise PermissionDenied
    case = get_case_file_or_404(scope, case_reference)
    form = ChildAdHocForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        programme = services.programme_open_for_child(
            case_file=case, reason_detail=form.cleaned_data["reason_detail"], actor=request.user
        )
        messages.success(request, f"An ad-hoc audit of {case.case_reference} has been opened.")
        return redirect("audits:programme-detail", programme_id=programme.pk)
    return render(request, "audits/programme/new_for_child.html", {"form": form, "case": case})


def _detail_forms(request: HttpRequest, scope: Scope, programme: ProgrammeAudit) -> dict[str, Any]:
    action = request.POST.get("action") if request.method == "POST" else None

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    return {
        "criteria": CriteriaForm(bound("criteria"), scope=scope, initial=CriteriaForm.initial_from(programme)),
        "auditors": AuditorsForm(
            bound("auditors"), today=scope.today, initial={"auditors": list(programme.auditors.all())}
        ),
        "findings": FindingsForm(
            bound("findings"),
            initial={
                "findings": programme.findings,
                "recommendations": programme.recommendations,
                "partnership_themes": programme.partnership_themes,
                "version": programme.version,
            },
        ),
        "action": ProgrammeActionForm(bound("action")),
        "section": PartnerSectionAddForm(bound("section"), today=scope.today),
    }


def _handle_post(request: HttpRequest, programme: ProgrammeAudit, forms: dict[str, Any]) -> str | None:
    """Apply one of the detail page's forms; return a success message, or None when a form has errors."""
    action = request.POST.get("action")
    actor = request.user
    today = request.scope.today
    try:
        if action == "criteria" and forms["criteria"].is_valid():
            form = forms["criteria"]
            services.programme_set_criteria(
                programme=programme, criteria=form.criteria(), sample_size=form.cleaned_data["sample_size"], actor=actor
            )
            return "The sample criteria have been saved."
        if action == "draw":
            added = sample_draw(programme=programme, today=today, actor=actor)
            return f"{len(added)} case files drawn." if added else "The sample was already drawn: nothing was added."
        if action == "auditors" and forms["auditors"].is_valid():
            services.programme_set_auditors(
                programme=programme, auditors=list(forms["auditors"].cleaned_data["auditors"]), actor=actor
            )
            return "The auditors have been saved."
        if action == "allocate":
            made = services.programme_allocate(programme=programme, actor=actor, today=today)
            return f"{len(made)} audits allocated. The auditors, practitioners and team managers have been told."
        if action == "findings" and forms["findings"].is_valid():
            data = forms["findings"].cleaned_data
            services.programme_record_findings(programme=programme, actor=actor, **data)
            return "The findings have been saved."
        if action == "action" and forms["action"].is_valid():
            services.programme_action_add(programme=programme, actor=actor, **forms["action"].cleaned_data)
            return "The action has been added to the plan."
        if action == "section" and forms["section"].is_valid():
            services.partner_section_add(programme=programme, actor=actor, **forms["section"].cleaned_data)
            return "The partner's section has been added. They have been told."
    except services.StaleEdit as exc:
        forms["findings"].add_error(None, f"{exc} Their text is shown below; copy what you need and save again.")
        forms["findings"].current_text = exc.current
    except (services.ProgrammeError, SamplingError) as exc:
        target = forms.get(action) or forms["criteria"]
        target.add_error(None, str(exc))
    return None


@require_http_methods(["GET", "POST"])
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    scope = request.scope
    _not_for_partners(scope)
    programme = _programme_or_404(scope, programme_id)
    can_edit = permissions.can_edit_programme(scope)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    forms = _detail_forms(request, scope, programme) if can_edit else {}
    if request.method == "POST":
        done = _handle_post(request, programme, forms)
        if done is not None:
            messages.success(request, done)
            return redirect("audits:programme-detail", programme_id=programme.pk)
    sampled = sampled_cases(programme)
    if not can_edit:
        in_scope = set(scope.case_files().filter(pk__in=[c.pk for c in sampled]).values_list("pk", flat=True))
        sampled = [c for c in sampled if c.pk in in_scope]
    drawn = bool((programme.criteria or {}).get(SAMPLED_KEY))
    matching = None
    if can_edit and not drawn:
        matching = cases_matching(programme.criteria or {}, scope_for_qa=scope).count()
    audits = audits_visible(scope, programme.audits.all()).select_related("auditor").order_by("case_reference")
    context = {
        "programme": programme,
        "can_edit": can_edit,
        "forms": forms,
        "has_errors": any(f.errors for f in forms.values()),
        "sampled": sampled,
        "drawn": drawn,
        "matching": matching,
        "audits": list(audits),
        "auditors": list(programme.auditors.order_by("full_name", "pk")),
        "actions": list(programme.actions.select_related("owner")),
        "sections": list(programme.partner_sections.select_related("partner")) if can_edit else [],
        "criteria_summary": criteria_summary(programme.criteria or {}, programme.sample_size),
    }
    return render(request, "audits/programme/detail.html", context)


def criteria_summary(criteria: dict[str, Any], sample_size: int) -> list[str]:
    """The criteria in words, for the page."""
    from organisation.models import CaseType, ServiceArea, Team

    lines = []
    if criteria.get("case_types"):
        lines.append("Case types: " + ", ".join(CaseType(t).label for t in criteria["case_types"]))
    if criteria.get("legal_status_contains"):
        lines.append(f"Legal status contains “{criteria['legal_status_contains']}”")
    if criteria.get("service_area_ids"):
        names = ServiceArea.objects.filter(pk__in=criteria["service_area_ids"]).order_by("name")
        lines.append("Service areas: " + ", ".join(a.name for a in names))
    if criteria.get("team_ids"):
        names = Team.objects.filter(pk__in=criteria["team_ids"]).order_by("name")
        lines.append("Teams: " + ", ".join(t.name for t in names))
    if criteria.get("opened_from") or criteria.get("opened_to"):
        lines.append(
            f"Opened between {criteria.get('opened_from', 'any date')} and {criteria.get('opened_to', 'today')}"
        )
    state = criteria.get("open_state", "any")
    lines.append({"open": "Open now", "closed": "Closed"}.get(state, "Open or closed"))
    if criteria.get("closed_from") or criteria.get("closed_to"):
        lines.append(
            f"Closed between {criteria.get('closed_from', 'any date')} and {criteria.get('closed_to', 'today')}"
        )
    if criteria.get("previous_audits") == "none_recent":
        lines.append(f"No audit in the last {criteria.get('previous_months')} months")
    elif criteria.get("previous_audits") == "at_least_one":
        lines.append("Audited at least once before")
    lines.append(f"Sample size: {sample_size}")
    return lines


# --- partner contributors ---------------------------------------------------------------------
@require_GET
def partner_sections(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not scope.has_role(Role.PARTNER_CONTRIBUTOR):
        raise PermissionDenied
    sections = list(
        PartnerSection.objects.filter(partner_id=scope.user_id).select_related("programme").order_by("programme", "pk")
    )
    return render(request, "audits/programme/partner_sections.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
def partner_section(request: HttpRequest, section_id: int) -> HttpResponse:
    scope = request.scope
    section = PartnerSection.objects.select_related("programme", "partner").filter(pk=section_id).first()
    if section is None:
        raise Http404("No section found")
    is_owner = section.partner_id == scope.user_id
    if not (is_owner or permissions.can_edit_programme(scope)):
        raise Http404("No section found")
    if request.method == "POST" and not is_owner:
        raise PermissionDenied
    form = PartnerSectionForm(
        request.POST if request.method == "POST" else None,
        initial={"content": section.content, "version": section.version},
    )
    current_text = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.partner_section_save(
                section=section,
                content=form.cleaned_data["content"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
            if "submit_section" in request.POST:
                services.partner_section_submit(section=saved, actor=request.user)
                messages.success(request, "Your section has been submitted. Thank you.")
            else:
                messages.success(request, "Your section has been saved.")
        except services.StaleEdit as exc:
            form.add_error("content", f"{exc} The saved text is shown below; copy what you need and save again.")
            current_text = exc.current
        except services.ProgrammeError as exc:
            form.add_error("content", str(exc))
        else:
            return redirect("audits:partner-section", section_id=section.pk)
    return render(
        request,
        "audits/programme/partner_section.html",
        {"section": section, "form": form, "is_owner": is_owner, "current_text": current_text},
    )


urlpatterns: list = [
    path("plan/", audit_plan, name="audit-plan"),
    path("programme/", programme_list, name="programme-list"),
    path("programme/new/", programme_new, name="programme-new"),
    path("programme/new/for-child/<str:case_reference>/", programme_new_for_child, name="programme-new-for-child"),
    path("programme/<int:programme_id>/", programme_detail, name="programme-detail"),
    path("partner/", partner_sections, name="partner-sections"),
    path("partner/<int:section_id>/", partner_section, name="partner-section"),
]
