"""HTML and Markdown reports: content, self-containment, and a real browser render."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import warnings
from html import escape, unescape
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
    "inference",
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit.inference("naive")
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
    # CV plot, path, bootstrap frequencies, stability path, intervals: inline SVG
    assert html.count("<svg") == 5
    for fig in ("fig-selection", "fig-path", "fig-bootstrap", "fig-stability",
                "fig-inference"):  # fmt: skip
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
        "## Inference after selection",
        "## Formula terms",
        "## Coefficient path",
        "## Stability selection",
        "## Notes",
    ):
        assert heading in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == 5
    for image in images:
        assert (tmp_path / image).read_text().startswith("<svg")
    assert "<svg" not in text
    # the figure and the settings table stand apart from the paragraph above them
    assert "on the original scale.\n\n![How lambda was chosen]" in text
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


BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-extensions",
]
# injected into a copy of the report only (the report itself has no script): opens
# the details, then records the page width, every element wider than the window or
# cut by its scroll box, and the size of every figure
MEASURE = """<script>
for (const d of document.querySelectorAll("details")) d.open = true;
const width = window.innerWidth, wide = [];
for (const el of document.querySelectorAll("main *")) {
  const box = el.getBoundingClientRect();
  const name = el.tagName + (el.id ? "#" + el.id : "");
  if (box.width > 0 && box.right > width + 0.5) wide.push(name);
  const clips = getComputedStyle(el).overflowX !== "visible";
  if (clips && el.scrollWidth > el.clientWidth + 1) wide.push("cut " + name);
}
const figures = [...document.querySelectorAll("figure")].map(f => {
  const svg = f.querySelector("svg").getBoundingClientRect();
  return [f.id, svg.left, svg.right, svg.width, svg.height];
});
const out = document.createElement("pre");
out.id = "measure";
out.textContent = JSON.stringify({
  width, scroll: document.documentElement.scrollWidth, wide, figures});
document.body.appendChild(out);
</script>"""


@pytest.fixture(scope="module")
def binomial_report(tmp_path_factory):
    data = ps.datasets.load("breast_cancer")
    fit = ps.fit("diagnosis ~ .", data, family="binomial", nfolds=5, seed=0)
    fit.bootstrap(n_boot=10, seed=1, progress=False)
    path = tmp_path_factory.mktemp("report") / "binomial.html"
    return write_report(fit, path, source="dataset:breast_cancer")


def _browser(*args, timeout=120):
    return subprocess.run(
        [_chromium(), *BROWSER_FLAGS, *args], capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed")
def test_renders_in_headless_chromium(html_report):
    url = html_report.resolve().as_uri()
    dom = _browser("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for section in SECTIONS:
        assert f'id="{section}"' in dom.stdout
    assert dom.stdout.count("<svg") == 5

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    render = _browser(
        "--enable-logging=stderr", "--v=0", "--window-size=1200,4000",
        f"--screenshot={shot}", url,
    )  # fmt: skip
    assert render.returncode == 0, render.stderr[-2000:]
    console = [line for line in render.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert shot.exists() and shot.stat().st_size > 10_000


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed")
@pytest.mark.parametrize("width", [1280, 800])
@pytest.mark.parametrize("kind", ["gaussian", "binomial"])
def test_fits_the_window_in_headless_chromium(kind, width, request, tmp_path):
    """No horizontal scroll, no table cut by its scroll box, every figure visible;
    a screenshot of the whole page (details open) goes to the test artifacts."""
    report = request.getfixturevalue("html_report" if kind == "gaussian" else
                                     "binomial_report")  # fmt: skip
    html = report.read_text()
    probe = tmp_path / f"{kind}-{width}.html"
    probe.write_text(html.replace("</body>", MEASURE + "</body>"))
    dom = _browser(f"--window-size={width},2400", "--dump-dom", probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stdout[-2000:]
    measured = json.loads(unescape(found.group(1)))
    assert measured["width"] == width
    assert measured["scroll"] <= width
    assert measured["wide"] == []
    n_figures = 5 if kind == "gaussian" else 3
    assert len(measured["figures"]) == n_figures
    for name, left, right, fig_width, height in measured["figures"]:
        assert left >= 0 and right <= width, name
        assert fig_width > 0.5 * min(width, 960) and height > 150, name

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"report-{kind}-{width}.png"
    shot.unlink(missing_ok=True)
    opened = tmp_path / f"{kind}-{width}-open.html"
    opened.write_text(html.replace("<details>", "<details open>"))
    render = _browser(f"--window-size={width},9000", f"--screenshot={shot}",
                      opened.as_uri())  # fmt: skip
    assert render.returncode == 0, render.stderr[-2000:]
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
    assert "| `bmi` | 4 (at limit) |" in text  # no term cell: the term is the column
    plain = render_report(ps.fit("y ~ bmi + bp", data, lam=0.5))
    assert "Coefficient limits" not in plain and "at limit" not in plain


# ---------------------------------------------------------------------------------
# what the report describes, and how it reads


def test_report_names_its_data(tmp_path):
    data = ps.datasets.load("diabetes")
    data.loc[[0, 5, 9], "bmi"] = float("nan")
    data.loc[[5, 11], "age"] = float("nan")  # not in the formula: no row dropped for it
    fit = ps.fit("y ~ bmi + bp + s5", data, lam=1.0)
    html = render_report(fit, source="dataset:diabetes")
    assert "<title>Feature selection for y in diabetes</title>" in html
    assert "data: diabetes · 442 rows read, 3 dropped · penstat " in html
    assert (
        "<td>penstat dataset diabetes (penstat.datasets.load(&#39;diabetes&#39;))" in html
    )
    assert '<th scope="row">Rows read</th><td>442</td>' in html
    dropped = "<td>3, with a missing value in bmi (3 rows)</td>"
    assert f'<th scope="row">Rows dropped</th>{dropped}' in html
    assert '<th scope="row">Observations used</th><td>439</td>' in html
    assert f"with penstat {ps.__version__}</td>" in html
    assert 'Formula as given:</p>\n  <code class="formula">y ~ bmi + bp + s5</code>' in html

    text = write_report(fit, tmp_path / "r.md", source="trials/visit one.csv").read_text()
    assert text.startswith("# Feature selection for y in visit one.csv\n")
    assert "| Data | file trials/visit one.csv |" in text
    assert "| Rows read | 442 |" in text
    assert "| Rows dropped | 3, with a missing value in bmi (3 rows) |" in text
    assert "Formula as given:\n\n```\ny ~ bmi + bp + s5\n```" in text


def test_report_without_a_source_says_so(tmp_path):
    fit = ps.fit("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    html = render_report(fit)
    assert "<title>Feature selection for y</title>" in html
    assert "data: not named" in html and "no source was named" in html
    assert '<th scope="row">Rows dropped</th><td>none</td>' in html
    out = fit.report(tmp_path / "r.html", source=Path("data") / "d.csv")
    assert "<td>file data/d.csv</td>" in out.read_text()
    with pytest.raises(ArgumentError, match="source=3 must name the data"):
        render_report(fit, source=3)


def test_cli_report_names_its_dataset(tmp_path, capsys):
    from penstat.cli import main

    report = tmp_path / "r.html"
    args = ["fit", "--dataset", "diabetes", "y ~ bmi + bp", "--select", "1.0"]
    assert main([*args, "--report", str(report), "--no-progress"]) == 0
    html = report.read_text()
    assert "<title>Feature selection for y in diabetes</title>" in html
    assert "penstat dataset diabetes" in html


def test_term_named_only_when_it_differs_from_the_column(tmp_path):
    from conftest import make_mixed_frame

    fit = ps.lasso("y ~ x1 + x2 + region", make_mixed_frame(80, seed=9), lam=0.05)
    html = render_report(fit)
    table = html.split('id="selected-table"')[1].split("</table>")[0]
    assert "<th>term</th>" not in table
    assert "<td><code>x1</code></td>" in table  # the term is the column: not repeated
    levels = [c for c in fit.selected if c.startswith("region[")]
    assert levels
    for level in levels:
        cell = f'<code>{level}</code><span class="of">term <code>region</code></span>'
        assert cell in table
    text = write_report(fit, tmp_path / "r.md").read_text()
    assert f"| `{levels[0]}` (term `region`) |" in text
    assert "| `x1` | " in text and "| x1 |" not in text


def test_model_size_bars_are_scaled_to_the_most_common_size(html_report, full_fit):
    table = html_report.read_text().split('id="model-size"')[1].split("</table>")[0]
    widths = [
        float(w) for w in re.findall(r'class="sizebar" style="width: ([\d.]+)rem', table)
    ]
    counts = full_fit.bootstrap_result.model_size.to_numpy()  # resamples per size
    counts = counts[counts > 0]
    assert len(widths) == len(counts)
    assert max(widths) == 8.0
    for width, count in zip(widths, counts, strict=True):
        assert width == pytest.approx(8.0 * count / counts.max(), abs=0.01)


def test_notes_say_which_way_lambda_runs(html_report):
    notes = html_report.read_text().split('id="notes"')[1]
    assert "In every plot lambda decreases from left to right" in notes


def test_one_spelling_of_buehlmann():
    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("penstat/**/*.py"), *root.glob("penstat/templates/*"),
             *root.glob("docs/**/*.md"), *root.glob("tests/**/*.py")]  # fmt: skip
    ascii_spelling = "Bue" + "hlmann"
    offenders = [str(f) for f in files if ascii_spelling in f.read_text(encoding="utf-8")]
    assert offenders == []


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


def test_markdown_report_writes_hostile_names_as_text(tmp_path):
    # a column named like Markdown (table pipe, emphasis, link, raw HTML) and one with
    # a backtick: rendered, each reads as written, in its cell, with no markup
    import numpy as np
    import pandas as pd

    markdown_it = pytest.importorskip("markdown_it")
    bad, response, tick = "a|b*c_[x](y)<script>", "out<b>put_1*", "z`1"
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({name: rng.standard_normal(60) for name in (response, bad, tick)})
    frame[response] += 2 * frame[bad]
    formula = f'Q("{response}") ~ Q("{bad}") + Q("{tick}")'
    fit = ps.lasso(formula, frame, lam=0.1)
    text = write_report(fit, tmp_path / "r.md").read_text()
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html = html.render(text)
    assert "<script" not in html and "<b>" not in html
    assert "<a " not in html and "<del>" not in html
    emphasis = re.findall(r"<em>(.*?)</em>", html)  # only the template's own line
    assert len(emphasis) == 1 and emphasis[0].startswith("Penalized regression report")
    quoted = unescape  # markdown-it writes < > " & as entities
    cells = [quoted(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]
    assert f'<code>Q("{bad}")</code>' in cells  # coefficient and term tables
    assert cells[cells.index(f'<code>Q("{bad}")</code>') + 1] == f"{fit.coef.iloc[1]:.4g}"
    assert f'<code>Q("{tick}")</code>' in cells
    assert f"Q(&quot;{tick}&quot;)" in html and "``" not in html
    assert formula in cells  # the settings table
    assert f"<pre><code>{formula}\n</code></pre>" in quoted(html)
    assert f'<h1>Feature selection for Q("{response}")</h1>' in quoted(html)
    assert f'<strong>Q("{response}")</strong>' in quoted(html)


# ---------------------------------------------------------------------------------
# inference after selection


def _hand_built(fit, alternative="two-sided", names=None):
    """A result of another method, built by hand: no standard errors, adjusted
    p-values, a column the fit did not select."""
    import numpy as np
    import pandas as pd

    names = names or [*fit.selected[:2], "age"]
    k = len(names)
    table = pd.DataFrame(
        {
            "estimate": np.linspace(1.0, 3.0, k),
            "std_error": np.nan,
            "ci_lower": np.linspace(0.5, 2.5, k),
            "ci_upper": np.linspace(1.5, 3.5, k),
            "p_value": [1e-20, *np.linspace(0.01, 0.3, k - 1)],
            "p_adjusted": np.linspace(0.03, 0.9, k),
        },
        index=pd.Index(names, name="column"),
    )
    if alternative != "two-sided":
        table["ci_upper"] = np.inf
    return ps.inference.InferenceResult(
        "selective", table, 0.9, fit.lam, "the selected set & signs <at lambda>",
        sigma=2.5, sigma_method="OLS residual", alternative=alternative,
        adjustment="Holm", notes=("a note with <b>markup</b>",),
    )  # fmt: skip


def test_inference_table_matches_the_result(html_report, full_fit):
    html = html_report.read_text()
    section = html.split('<section id="inference"')[1].split("</section>")[0]
    res = full_fit.inference_result
    assert "Method: <strong>naive</strong>" in section
    assert "It guarantees nothing after selection" in section
    assert res.conditioning in section
    table = section.split('id="inference-table"')[1].split("</table>")[0]
    shown = re.findall(r"<tr>\s*<td><code>([^<]+)</code>", table)
    assert shown == res.table.index.tolist()
    assert "naive p-value</th>" in table and "naive 95% interval</th>" in table
    # the bootstrap columns stand next to the intervals
    assert "selected in resamples</th>" in table
    boot = full_fit.bootstrap_result.columns
    for column, row in res.table.iterrows():
        cells = table.split(f"<code>{column}</code>")[1].split("</tr>")[0]
        assert f"[{row['ci_lower']:.4g}, {row['ci_upper']:.4g}]" in cells
        assert f">{row['p_value']:.3g}<" in cells
        assert f"{100 * boot.loc[column, 'freq']:.0f}%" in cells
    assert 'href="#inference"' in html
    words = " ".join(html.split())
    assert "by the <strong>naive</strong> method, which ignores the selection" in words


def test_report_of_another_method_one_sided_and_escaped(tmp_path):
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    fit.inference_result = _hand_built(fit, alternative="sign")
    html = render_report(fit)
    section = html.split('<section id="inference"')[1].split("</section>")[0]
    assert "Selective inference (Lee, Sun, Sun &amp; Taylor 2016)" in section
    assert "the selected set &amp; signs &lt;at lambda&gt;" in section
    assert "a note with &lt;b&gt;markup&lt;/b&gt;" in section
    assert "selective adjusted p-value</th>" in section
    assert "std. error" not in section  # no method standard errors: no column
    assert "< 1e-16" not in section and "&lt; 1e-16" in section
    assert section.count(", ∞]") == 3  # the open side of each one-sided interval
    assert "<code>age</code>" in section and "Holm" in section
    assert 'id="fig-inference"' in section
    md = write_report(fit, tmp_path / "r.md").read_text()
    part = md.split("## Inference after selection")[1].split("## Formula terms")[0]
    assert "| `age` | 0 |" in part and ", ∞] |" in part
    assert "a note with <b>" not in part and r"\<b>markup\</b>" in part
    assert (tmp_path / "r_files" / "inference.svg").exists()


def test_dollar_names_are_drawn_as_text(tmp_path):
    # "$...$" is mathtext for matplotlib: a name like this one stopped the plots
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    names = ["$\\frac{$", "a$b$c", "ok"]
    frame = pd.DataFrame(rng.standard_normal((80, 3)), columns=names)
    frame["y"] = frame[names[0]] + frame[names[1]] + rng.standard_normal(80)
    fit = ps.lasso("y ~ .", frame, lam=0.05)
    fit.bootstrap(n_boot=5, seed=0, progress=False)
    fit.stability_selection(n_subsamples=5, pfer=1.0, seed=1, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit.inference("naive")
    html = render_report(fit)
    assert "could not be drawn" not in html
    assert html.count("<svg") == 4  # path, bootstrap, stability, intervals
    # the names are written into the SVG as text, with their dollar signs
    assert len(fit.selected) == 2
    for fig in ("fig-path", "fig-bootstrap", "fig-inference"):
        svg = html.split(f'id="{fig}"')[1].split("</svg>")[0]
        for name in fit.selected:
            assert escape(name, quote=False) in svg, (fig, name)


def test_inference_section_writes_hostile_names_as_text(tmp_path):
    import numpy as np
    import pandas as pd

    markdown_it = pytest.importorskip("markdown_it")
    bad = "a|b*c_[x](y)<script>$x$"
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"y": rng.standard_normal(60), bad: rng.standard_normal(60)})
    frame["y"] += 2 * frame[bad]
    fit = ps.lasso(f'y ~ Q("{bad}")', frame, lam=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit.inference("naive")
    html = render_report(fit)
    section = html.split('<section id="inference"')[1].split("</section>")[0]
    assert "<script" not in section
    assert escape(f'Q("{bad}")', quote=False) in section
    text = write_report(fit, tmp_path / "r.md").read_text()
    part = text.split("## Inference after selection")[1].split("## Formula terms")[0]
    rendered = markdown_it.MarkdownIt("commonmark").enable(["table"]).render(part)
    assert "<script" not in rendered and "<a " not in rendered
    cells = [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rendered)]
    assert cells[0] == f'<code>Q("{bad}")</code>'
    assert cells[2] == f"{fit.inference_result.table['estimate'].iloc[0]:.4g}"


def test_inference_on_nothing_selected_says_so():
    fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit.inference("naive")
    html = render_report(fit)
    section = html.split('<section id="inference"')[1].split("</section>")[0]
    assert "The method reported on no column" in section
    assert "<svg" not in section and "inference-table" not in section
