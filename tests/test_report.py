"""HTML and Markdown reports: content, self-containment, and a real browser render."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import penstat as ps  # noqa: E402
from penstat._errors import ArgumentError  # noqa: E402
from penstat.report import render_report, write_report  # noqa: E402

ARTIFACTS = Path(
    os.environ.get(
        "PENSTAT_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"
    )
)
SECTIONS = [
    "summary",
    "data",
    "model",
    "selected",
    "bootstrap",
    "terms",
    "path",
    "stability-selection",
    "notes",
]


@pytest.fixture(scope="module")
def full_fit():
    data = ps.datasets.load("diabetes")
    fit = ps.lasso("y ~ .", data, nfolds=5, seed=0)
    fit.bootstrap(n_boot=20, fixed_lam=True, seed=1, progress=False)
    fit.stability_selection(n_subsamples=10, pfer=1.0, seed=2, progress=False)
    return fit


@pytest.fixture(scope="module")
def html_report(full_fit, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(full_fit, path)
    return path


def test_html_has_every_section_and_plot(html_report, full_fit):
    html = html_report.read_text()
    for section in SECTIONS:
        assert f'<section id="{section}"' in html, section
    # CV plot, path, bootstrap frequencies, stability path: inline SVG
    assert html.count("<svg") == 4
    for fig in ("fig-selection", "fig-path", "fig-bootstrap", "fig-stability"):
        assert f'id="{fig}"' in html
    assert full_fit.design.formula in html


def test_html_is_self_contained(html_report):
    html = html_report.read_text()
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


def test_selected_table_matches_fit(html_report, full_fit):
    html = html_report.read_text()
    table = html.split('id="selected-table"')[1].split("</table>")[0]
    shown = re.findall(r"<tr>\s*<td><code>([^<]+)</code>", table)
    assert sorted(shown) == sorted(full_fit.selected)
    boot = full_fit.bootstrap_result.columns
    for column in full_fit.selected:
        assert f"{full_fit.coef[column]:.4g}" in table
        assert f"{100 * boot.loc[column, 'freq']:.0f}%" in table
    stable = full_fit.stability_result.stable
    assert table.count('class="tag">stable') == len(set(stable) & set(full_fit.selected))


def test_notes_explain_intervals(html_report):
    notes = html_report.read_text().split('id="notes"')[1]
    assert "not confidence" in notes and "percentile" in notes


def test_title_is_escaped(full_fit):
    html = render_report(full_fit, title="<b>y & z</b>")
    assert "<title>&lt;b&gt;y &amp; z&lt;/b&gt;</title>" in html


def test_markdown_report(full_fit, tmp_path):
    path = write_report(full_fit, tmp_path / "r.md")
    text = path.read_text()
    for heading in (
        "# Feature selection for y",
        "## Data and formula",
        "## Selected features",
        "## Bootstrap stability",
        "## Formula terms",
        "## Coefficient path",
        "## Stability selection",
        "## Notes",
    ):
        assert heading in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == 4
    for image in images:
        assert (tmp_path / image).read_text().startswith("<svg")
    assert "<svg" not in text
    # every table row has as many cells as its header
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|---") or line.startswith("|--:"):
            width = lines[i - 1].count("|")
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert lines[j].replace("\\|", "").count("|") == width, lines[j]
                j += 1


def test_report_without_bootstrap_and_binomial(tmp_path):
    data = ps.datasets.load("breast_cancer")
    fit = ps.fit(
        "diagnosis ~ radius_mean + texture_mean + smoothness_mean",
        data,
        family="binomial",
        select="bic",
    )
    html = render_report(fit)
    assert '<section id="bootstrap"' not in html
    assert '<section id="stability-selection"' not in html
    assert "No bootstrap was run" in html
    assert "logistic" in html and fit.design.positive in html
    assert html.count("<svg") == 2  # criteria and path


def test_report_path_errors(full_fit, tmp_path):
    with pytest.raises(ArgumentError, match=r"\.html"):
        write_report(full_fit, tmp_path / "r.pdf")
    with pytest.raises(ArgumentError, match="does not exist"):
        write_report(full_fit, tmp_path / "missing" / "r.html")


# ---------------------------------------------------------------------------------
# a real browser


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed")
def test_renders_in_headless_chromium(html_report):
    browser = _chromium()
    base = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
    ]
    url = html_report.resolve().as_uri()
    dom = subprocess.run(
        [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    for section in SECTIONS:
        assert f'id="{section}"' in dom.stdout
    assert dom.stdout.count("<svg") == 4

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    render = subprocess.run(
        [
            *base,
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,4000",
            f"--screenshot={shot}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert render.returncode == 0, render.stderr[-2000:]
    console = [line for line in render.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert shot.exists() and shot.stat().st_size > 10_000


def test_report_notes_dropped_rows():
    data = ps.datasets.load("diabetes")
    data.loc[[0, 5, 9], "bmi"] = float("nan")
    fit = ps.fit("y ~ bmi + bp + s5", data, lam=1.0)
    html = render_report(fit)
    assert "3 of 442 rows were dropped" in html
    assert "fixed by the analyst" in html


def test_report_describes_the_offset(tmp_path):
    data = ps.datasets.load("diabetes")
    data["base"] = data["bmi"] * 2.0
    fit = ps.fit("y ~ bp + s5 + .", data, offset="base", lam=1.0)
    html = render_report(fit)
    assert '<th scope="row">Offset</th><td>column base (coefficient fixed at 1)' in html
    assert "also includes an offset (column base)" in html
    path = write_report(fit, tmp_path / "r.md")
    text = path.read_text()
    assert "| Offset | column base (coefficient fixed at 1) |" in text
    assert "also includes an offset (column base)" in text
    arrays = ps.fit("y ~ bp", data, offset=data["bmi"].to_numpy(), lam=1.0)
    assert "an array given with the fit" in render_report(arrays)
    assert "Offset" not in render_report(ps.fit("y ~ bp", data, lam=1.0))


def test_report_describes_the_limits(tmp_path):
    data = ps.datasets.load("diabetes")
    fit = ps.fit("y ~ bmi + bp + s5 + s3", data, lam=0.5, lower_limits=0,
                 upper_limits={"bmi": 4})  # fmt: skip
    assert fit.at_limit == ["bmi"]
    html = render_report(fit)
    limits = "every penalized column &gt;= 0; bmi &lt;= 4"
    assert f'<th scope="row">Coefficient limits</th><td>{limits}</td>' in html
    assert 'held at its upper limit">at limit</span>' in html
    assert html.count('title="held at its') == 1
    assert "1 coefficient sits at a limit" in html
    text = write_report(fit, tmp_path / "r.md").read_text()
    assert "| Coefficient limits | every penalized column >= 0; bmi <= 4 |" in text
    assert "| `bmi` | bmi | 4 (at limit) |" in text
    plain = render_report(ps.fit("y ~ bmi + bp", data, lam=0.5))
    assert "Coefficient limits" not in plain and "at limit" not in plain


def test_report_shows_the_seed_and_no_negative_zero(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({k: rng.standard_normal(50) for k in ("y", "a", "b")})
    fit = ps.lasso("y ~ a + b", frame, lam=100.0, seed=11)
    assert np.signbit(fit.dev_ratio)
    text = render_report(fit, "md")
    assert "-0.0000" not in text and "0.0000" in text
    assert "seed 11" in text
