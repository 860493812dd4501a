"""``manage.py render_report``: the same renderer from the command line; bad input refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from .test_report_pdf import make_report, pdf_text, squash


def test_it_writes_the_latest_finalised_version(world, tmp_path):
    make_report(world, final=True)
    output = tmp_path / "report.pdf"
    out = io.StringIO()
    call_command("render_report", "team-clinic", scope="a1", period="2026-10", output=str(output), stdout=out)
    pdf = output.read_bytes()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"Wrote {output} ({pages} page" in out.getvalue()
    assert "version 1" in out.getvalue()
    text = squash(pdf_text(pdf))
    assert "1,234" in text  # the frozen figures
    assert "DRAFT" not in text


def test_without_a_version_it_renders_the_live_draft_with_its_narrative(world, tmp_path):
    make_report(world, narrative={"working_well": "Live draft words."})
    output = tmp_path / "draft.pdf"
    out = io.StringIO()
    call_command(
        "render_report", "team-clinic", "--scope", "a1", "--period", "2026-10", "--output", str(output), stdout=out
    )
    text = squash(pdf_text(output.read_bytes()))
    assert "Live draft words." in text
    assert "DRAFT" in text
    assert world.team_a1.name in text
    assert "the live draft" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["team-report", "--scope", "a1", "--period", "2026-10"], "Unknown report kind"),
        (["team-clinic", "--scope", "nope", "--period", "2026-10"], "there is no such team"),
        (["team-clinic", "--scope", "area-a", "--period", "2026-10"], "team-clinic reports are for a team code"),
        (["service-board", "--scope", "a1", "--period", "2026-10"], "a service-area code"),
        (["assurance-board", "--scope", "a1", "--period", "2026-10"], '"authority"'),
        (["team-clinic", "--scope", "a1", "--period", "2026-13"], "YYYY-MM"),
        (["team-clinic", "--scope", "a1", "--period", "October"], "YYYY-MM"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(world, tmp_path, args, message):
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("render_report", *args, "--output", str(output))
    assert not output.exists()


def test_a_bad_kind_exits_non_zero(world, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "render_report",
            "nonsense",
            "--scope",
            "a1",
            "--period",
            "2026-10",
            "--output",
            str(tmp_path / "x.pdf"),
        ],
        cwd=str(Path(__file__).resolve().parents[2]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Unknown report kind" in result.stderr
