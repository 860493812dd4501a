"""PDF rendering: an HTML template, then WeasyPrint (STYLE.md 7).

Every PDF the service makes goes through :func:`render_pdf`:

* a tagged PDF (``pdf/ua-1``): headings, lists and tables keep their structure for screen
  readers, and ``<img alt>`` becomes the figure's alternative text;
* fonts set on the body **and** in ``@page`` (margin boxes do not inherit) to
  ``Arial, "Liberation Sans", sans-serif``, so page counts are the same on every machine;
* no network and no file system: the URL fetcher serves only the app's own static files and
  ``data:`` URLs and refuses everything else (``file://``, ``http://``, ``https://``). Free text
  typed by staff is escaped by the template engine; even an ``<img src="file:///etc/passwd">``
  that got through would fetch nothing.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in PDF templates (``{% static %}`` gives ``/static/...``) resolve against this
# address, which is never fetched: the fetcher maps its static paths to files.
PDF_BASE_URL = "https://pdf.invalid/"
PDF_FONT_FAMILY = 'Arial, "Liberation Sans", sans-serif'


class RefusedURL(ValueError):
    """A PDF asked for something outside the app's static files (WeasyPrint logs and skips it)."""


def _static_file(name: str) -> str | None:
    """The path of a static file by its name under STATIC_URL (found in the app's static folders,
    or in STATIC_ROOT once collected), or None."""
    if not name or name.startswith("/") or ".." in name.split("/"):
        return None
    found = finders.find(name)
    if found:
        return str(found)
    try:
        return staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
    except (NotImplementedError, ValueError):
        return None


class StaticOnlyURLFetcher(URLFetcher):
    """Fetch the app's static files and ``data:`` URLs; refuse everything else."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        base = urlsplit(PDF_BASE_URL)
        static_prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(static_prefix):
            path = _static_file(unquote(parts.path[len(static_prefix) :]))
            if path is not None:
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                with open(path, "rb") as handle:
                    body = handle.read()
                return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        raise RefusedURL(f"PDFs may use only the app's static files and data: URLs, not {url[:100]}")


def render_pdf(template_name: str, context: dict[str, Any], *, title: str) -> bytes:
    """Render ``template_name`` with ``context`` to a tagged PDF. Templates also get ``title``,
    ``font_family``, ``AUTHORITY_NAME`` and ``SERVICE_NAME`` (no request: context processors do
    not run)."""
    base = {
        "title": title,
        "font_family": PDF_FONT_FAMILY,
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "SERVICE_NAME": settings.SERVICE_NAME,
    }
    html = render_to_string(template_name, {**base, **context})
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
