"""Audit programme pages: the monthly allocation (the QA team), and cancelling, reallocating or
declaring a conflict on an allocated audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions
from ..forms_monthly import CancelForm, ConflictForm, ExcludeForm, ReallocateForm, SwapForm
from ..models import AllocationProposal, AllocationRound, Audit
from ..services.allocation import AllocationError, auditors_on
from ..services.monthly import (
    SWAP_CHOICES,
    allocation_confirm,
    allocation_propose,
    audit_cancel,
    audit_declare_conflict,
    audit_reallocate,
    eligible_for,
    month_start,
    proposal_exclude,
    proposal_include,
    proposal_swap,
)
from .practitioner import audit_or_404


def _qa_only(request: HttpRequest) -> None:
    if not permissions.can_manage_allocation(request.scope):
        raise PermissionDenied


def _proposal(request: HttpRequest, proposal_id: int) -> AllocationProposal:
    _qa_only(request)
    return get_object_or_404(
        AllocationProposal.objects.select_related("round", "auditor", "case_file__team"), pk=proposal_id
    )


@require_http_methods(["GET", "POST"])
def allocation_list(request: HttpRequest) -> HttpResponse:
    _qa_only(request)
    this_month = month_start(request.scope.today)
    if request.method == "POST":
        round_ = allocation_propose(month=this_month, today=request.scope.today)
        messages.success(request, f"The allocation for {round_.month:%B %Y} is ready to review.")
        return redirect("audits:allocation-round", round_id=round_.pk)
    rounds = AllocationRound.objects.annotate(
        lines=Count("proposals", distinct=True),
        with_case=Count("proposals", filter=Q(proposals__case_file__isnull=False), distinct=True),
        allocated=Count("audits", filter=~Q(audits__status="cancelled"), distinct=True),
    ).order_by("-month")
    has_this_month = any(r.month == this_month for r in rounds)
    return render(
        request,
        "audits/allocation/list.html",
        {"rounds": rounds, "this_month": this_month, "has_this_month": has_this_month},
    )


@require_GET
def allocation_round(request: HttpRequest, round_id: int) -> HttpResponse:
    _qa_only(request)
    round_ = get_object_or_404(AllocationRound, pk=round_id)
    proposals = list(
        round_.proposals.select_related("auditor", "case_file__team__service_area").order_by(
            "auditor__full_name", "auditor_id"
        )
    )
    drawn = [p for p in proposals if p.case_file_id]
    none = [p for p in proposals if not p.case_file_id]
    return render(
        request,
        "audits/allocation/round.html",
        {"round": round_, "drawn": drawn, "none": none, "proposed": round_.status == AllocationRound.Status.PROPOSED},
    )


@require_http_methods(["GET", "POST"])
def proposal_swap_page(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    if proposal.round.status != AllocationRound.Status.PROPOSED or proposal.excluded:
        return redirect("audits:allocation-round", round_id=proposal.round_id)
    # The auditor's current file is not a choice: swapping it for itself changes nothing.
    choices = [
        case
        for case in eligible_for(proposal=proposal, today=request.scope.today, limit=SWAP_CHOICES + 1)
        if case.pk != proposal.case_file_id
    ][:SWAP_CHOICES]
    form = SwapForm(request.POST if request.method == "POST" else None, choices=choices)
    if form.is_valid():
        try:
            proposal_swap(
                proposal=proposal,
                case_file=form.cleaned_data["case_file"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                today=request.scope.today,
            )
        except AllocationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{proposal.auditor} now has {form.cleaned_data['case_file'].case_reference}.")
            return redirect("audits:allocation-round", round_id=proposal.round_id)
    return render(request, "audits/allocation/swap.html", {"proposal": proposal, "form": form, "choices": choices})


@require_http_methods(["GET", "POST"])
def proposal_exclude_page(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    if proposal.round.status != AllocationRound.Status.PROPOSED or proposal.excluded:
        return redirect("audits:allocation-round", round_id=proposal.round_id)
    form = ExcludeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        proposal_exclude(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"{proposal.auditor} is excluded from this month's allocation.")
        return redirect("audits:allocation-round", round_id=proposal.round_id)
    return render(request, "audits/allocation/exclude.html", {"proposal": proposal, "form": form})


@require_POST
def proposal_include_page(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    try:
        proposal = proposal_include(proposal=proposal, actor=request.user, today=request.scope.today)
    except AllocationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{proposal.auditor} is included again.")
    return redirect("audits:allocation-round", round_id=proposal.round_id)


@require_POST
def allocation_confirm_page(request: HttpRequest, round_id: int) -> HttpResponse:
    _qa_only(request)
    round_ = get_object_or_404(AllocationRound, pk=round_id)
    created = allocation_confirm(round=round_, actor=request.user, today=request.scope.today)
    messages.success(
        request,
        f"{created} audit{'s' if created != 1 else ''} allocated. Each auditor, practitioner and team manager "
        "has been told.",
    )
    return redirect("audits:allocation-round", round_id=round_.pk)


def _audit_for_qa(request: HttpRequest, audit_id: int) -> Audit:
    audit = audit_or_404(request.scope, audit_id)
    if not permissions.can_allocate_by_hand(request.scope):
        raise PermissionDenied
    return audit


@require_http_methods(["GET", "POST"])
def audit_cancel_page(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit_for_qa(request, audit_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            audit_cancel(
                audit=audit,
                actor=request.user,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except AllocationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The audit of {audit.case_reference} is cancelled.")
            return redirect("audits:audit-detail", audit_id=audit.pk)
    return render(request, "audits/allocation/cancel.html", {"audit": audit, "form": form})


@require_http_methods(["GET", "POST"])
def audit_reallocate_page(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit_for_qa(request, audit_id)
    auditors = auditors_on(request.scope.today).exclude(pk=audit.auditor_id)
    form = ReallocateForm(request.POST if request.method == "POST" else None, auditors=auditors)
    if form.is_valid():
        try:
            new = audit_reallocate(
                audit=audit,
                new_auditor=form.cleaned_data["auditor"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                category=form.cleaned_data["category"],
                today=request.scope.today,
            )
        except AllocationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The audit of {new.case_reference} is reallocated to {new.auditor}.")
            return redirect("audits:audit-detail", audit_id=new.pk)
    return render(request, "audits/allocation/reallocate.html", {"audit": audit, "form": form})


@require_http_methods(["GET", "POST"])
def audit_declare_conflict_page(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_or_404(request.scope, audit_id)
    if not permissions.is_auditor(request.scope, audit):
        raise PermissionDenied
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            audit_declare_conflict(
                audit=audit, actor=request.user, reason=form.cleaned_data["reason"], today=request.scope.today
            )
        except AllocationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Thank you. The audit is cancelled and the QA team will reallocate it.")
            return redirect("audits:my-audits")
    return render(request, "audits/allocation/conflict.html", {"audit": audit, "form": form})


urlpatterns: list = [
    path("allocation/", allocation_list, name="allocation-list"),
    path("allocation/<int:round_id>/", allocation_round, name="allocation-round"),
    path("allocation/<int:round_id>/confirm/", allocation_confirm_page, name="allocation-confirm"),
    path("allocation/proposal/<int:proposal_id>/swap/", proposal_swap_page, name="proposal-swap"),
    path("allocation/proposal/<int:proposal_id>/exclude/", proposal_exclude_page, name="proposal-exclude"),
    path("allocation/proposal/<int:proposal_id>/include/", proposal_include_page, name="proposal-include"),
    path("<int:audit_id>/cancel/", audit_cancel_page, name="audit-cancel"),
    path("<int:audit_id>/reallocate/", audit_reallocate_page, name="audit-reallocate"),
    path("<int:audit_id>/declare-conflict/", audit_declare_conflict_page, name="audit-declare-conflict"),
]
