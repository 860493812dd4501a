"""core.pdf: tagged PDFs in the project's font, and a URL fetcher that reaches only the app's
static files and data: URLs (never the file system or the network)."""

from __future__ import annotations

import base64
import io

import pytest
from django.test import override_settings
from pypdf import PdfReader

from core.pdf import PDF_BASE_URL, RefusedURL, StaticOnlyURLFetcher, render_pdf

PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
    )
).decode()
TEMPLATE = """{% extends "pdf/base.html" %}{% block content %}<h1>Heading {{ marker }}</h1>
<p>{{ free_text }}</p>
<img src="/static/images/favicon.svg" alt="The app's icon">
<img src="data:image/png;base64,{{ pixel }}" alt="A pixel">
{% endblock %}"""


def _templates(extra: dict[str, str]) -> list[dict]:
    from django.conf import settings

    engine = dict(settings.TEMPLATES[0])
    options = dict(engine.get("OPTIONS", {}))
    options["loaders"] = [
        ("django.template.loaders.locmem.Loader", extra),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = options
    return [engine]


def spy_on_fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every URL a PDF asks the fetcher for (the fetcher still decides)."""
    fetched: list[str] = []
    original = StaticOnlyURLFetcher.fetch

    def spy(self: StaticOnlyURLFetcher, url: str, headers: object = None) -> object:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", spy)
    return fetched


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.invalid/x.png",
        "https://example.invalid/x.png",
        "ftp://example.invalid/x.png",
        f"{PDF_BASE_URL}etc/passwd",
        f"{PDF_BASE_URL}static/../../../etc/passwd",
        f"{PDF_BASE_URL}static/no-such-file.css",
        "https://pdf.invalid.example/static/images/favicon.svg",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data(url):
    with pytest.raises(RefusedURL):
        StaticOnlyURLFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls():
    icon = StaticOnlyURLFetcher().fetch(f"{PDF_BASE_URL}static/images/favicon.svg")
    assert icon.content_type == "image/svg+xml"
    assert b"<svg" in icon.read()
    data = StaticOnlyURLFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"


def test_render_pdf_makes_a_tagged_pdf_in_the_project_font_with_images_through_the_fetcher(monkeypatch):
    fetched = spy_on_fetches(monkeypatch)
    with override_settings(TEMPLATES=_templates({"pdf/test.html": TEMPLATE})):
        pdf = render_pdf(
            "pdf/test.html",
            {"marker": "MK-PDF-1", "free_text": '<img src="file:///etc/passwd">', "pixel": PIXEL},
            title="A test document",
        )
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Heading MK-PDF-1" in text
    assert '<img src="file:///etc/passwd">' in " ".join(text.split())
    assert reader.metadata.title == "A test document"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert all("Liberation" in f or "Arial" in f for f in fonts), fonts
    # The static image and the data: image went through the fetcher; the escaped text did not.
    assert f"{PDF_BASE_URL}static/images/favicon.svg" in fetched
    assert any(u.startswith("data:image/png") for u in fetched)
    assert not [u for u in fetched if u.startswith("file:")]
