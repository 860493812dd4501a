"""Audit pages: tools. The QA team's pages for audit tools as data — every tool and its
versions, one version's elements, making a new version, editing a draft's elements,
publishing and discarding a draft. Only the QA team reaches them: the list answers 403 to
anyone else, object pages 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.models import CaseType

from ..forms_tools import ElementForm, ToolVersionNewForm
from ..models import Element, ToolVersion
from ..permissions import can_manage_tools
from ..services import tools as services

# "Conflict": the element's version is published, so the request cannot apply to it.
LOCKED_STATUS = 409


def _require_tools(request: HttpRequest) -> None:
    if not can_manage_tools(request.scope):
        raise PermissionDenied


def _version_or_404(request: HttpRequest, version_id: int) -> ToolVersion:
    if not can_manage_tools(request.scope):
        raise Http404
    return get_object_or_404(ToolVersion.objects.select_related("tool"), pk=version_id)


def _detail(version: ToolVersion) -> HttpResponse:
    return redirect("audits:tool-version-detail", version_id=version.pk)


@require_GET
def tool_list(request: HttpRequest) -> HttpResponse:
    _require_tools(request)
    return render(
        request,
        "audits/tools/tool_list.html",
        {
            "tools": services.tools_with_versions(),
            "scales": services.scales_with_options(),
            "pillars": services.pillars_latest(),
            "themes": services.themes_active(),
        },
    )


@require_GET
def tool_version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    if not can_manage_tools(request.scope):
        raise Http404
    try:
        version = services.tool_version_for_page(version_id=version_id)
    except ToolVersion.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "audits/tools/version_detail.html",
        {"version": version, "sections": services.sections_of(version.elements.all())},
    )


@require_http_methods(["GET", "POST"])
def tool_version_new(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version_or_404(request, version_id)
    draft = ToolVersion.objects.filter(tool_id=version.tool_id, status=ToolVersion.Status.DRAFT).first()
    form = ToolVersionNewForm(
        request.POST if request.method == "POST" else None, initial={"example_content": version.example_content}
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.tool_version_copy(
                version=version,
                actor=request.user,
                note=form.cleaned_data["note"],
                example_content=form.cleaned_data["example_content"],
            )
        except services.ToolVersionError as exc:
            messages.error(request, str(exc))
            return _detail(draft or version)
        messages.success(
            request, f"Version {new.number} is a draft copy of version {version.number}. Edit it, then publish it."
        )
        return _detail(new)
    return render(request, "audits/tools/version_new.html", {"version": version, "draft": draft, "form": form})


@require_http_methods(["GET", "POST"])
def element_edit(request: HttpRequest, element_id: int) -> HttpResponse:
    if not can_manage_tools(request.scope):
        raise Http404
    element = get_object_or_404(Element.objects.select_related("tool_version__tool"), pk=element_id)
    version = element.tool_version
    if not version.is_editable:
        return _locked(request, element)
    form = ElementForm(
        request.POST if request.method == "POST" else None,
        initial=ElementForm.initial_for(element, services.element_fingerprint(element)),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        applies_to = form.cleaned_data["applies_to"]
        if not element.applies_to and set(applies_to) == set(CaseType.values):
            applies_to = []  # every case type, as it was
        try:
            changed = services.element_update(
                element=element,
                actor=request.user,
                expected_fingerprint=form.cleaned_data["fingerprint"] or None,
                title=form.cleaned_data["title"],
                guidance=form.cleaned_data["guidance"],
                prompts=form.cleaned_data["prompts"],
                applies_to=applies_to,
            )
        except services.ToolVersionLocked:
            return _locked(request, element)
        except services.ElementConflict as exc:
            conflict = exc.current
            form.add_error(None, str(exc))
            # The next save is checked against what is saved now.
            data = request.POST.copy()
            data["fingerprint"] = services.element_fingerprint(exc.current)
            form.data = data
        except services.ToolVersionError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, f"{element.code} {element.title} saved.")
            else:
                messages.success(request, f"No changes to {element.code} {element.title}.")
            return redirect(reverse("audits:tool-version-detail", args=[version.pk]) + f"#element-{element.code}")
    if conflict is not None:
        conflict.case_type_labels = services.case_type_labels(conflict.applies_to)
    return render(
        request,
        "audits/tools/element_edit.html",
        {"element": element, "version": version, "form": form, "conflict": conflict},
    )


def _locked(request: HttpRequest, element: Element) -> HttpResponse:
    """A published version never changes: say so, keep what was typed, offer the way forward."""
    version = element.tool_version
    draft = ToolVersion.objects.filter(tool_id=version.tool_id, status=ToolVersion.Status.DRAFT).first()
    typed = None
    if request.method == "POST":
        typed = {
            "title": request.POST.get("title", ""),
            "guidance": request.POST.get("guidance", ""),
            "prompts": request.POST.get("prompts", ""),
        }
    return render(
        request,
        "audits/tools/element_locked.html",
        {"element": element, "version": version, "draft": draft, "typed": typed},
        status=LOCKED_STATUS,
    )


@require_POST
def tool_version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version_or_404(request, version_id)
    try:
        services.tool_version_publish(version=version, actor=request.user)
    except services.ToolVersionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Version {version.number} is published. New audits of {version.tool.name} use it from now on."
        )
    return _detail(version)


@require_http_methods(["GET", "POST"])
def tool_version_discard(request: HttpRequest, version_id: int) -> HttpResponse:
    """GET asks "are you sure?" (a draft may hold a lot of editing); POST discards."""
    version = _version_or_404(request, version_id)
    if request.method == "GET":
        if not version.is_editable:
            messages.error(request, f"Version {version.number} is published, so it cannot be discarded.")
            return _detail(version)
        return render(request, "audits/tools/version_discard.html", {"version": version})
    try:
        services.tool_version_discard(version=version, actor=request.user)
    except services.ToolVersionError as exc:
        messages.error(request, str(exc))
        return _detail(version)
    messages.success(request, f"Draft version {version.number} of {version.tool.name} discarded.")
    return redirect("audits:tool-list")


urlpatterns: list = [
    path("tools/", tool_list, name="tool-list"),
    path("tools/versions/<int:version_id>/", tool_version_detail, name="tool-version-detail"),
    path("tools/versions/<int:version_id>/new/", tool_version_new, name="tool-version-new"),
    path("tools/versions/<int:version_id>/publish/", tool_version_publish, name="tool-version-publish"),
    path("tools/versions/<int:version_id>/discard/", tool_version_discard, name="tool-version-discard"),
    path("tools/elements/<int:element_id>/edit/", element_edit, name="element-edit"),
]
