"""Draw the data-flow figure of the architecture page as a static SVG.

The figure is committed (docs/_static/dataflow.svg), so the docs build needs neither
this script nor graphviz. After changing the stages below, regenerate it:

    python docs/_scripts/dataflow_svg.py

and commit both files.
"""

from html import escape
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "_static" / "dataflow.svg"

# (stage, module, what it takes -> what it gives)
STAGES = [
    ("design", "penstat/design/", "formula + DataFrame + NA policy → Design"),
    ("spec", "penstat/spec.py", "options → FitSpec, SelectSpec (frozen, checked once)"),
    ("solver", "penstat/solver/", "X, y, FitSpec → Path (lambda grid, _cd/ kernels)"),
    ("selection", "penstat/selection/", "Path + rule → Selection (CV, AIC/BIC/EBIC)"),
    ("engine", "penstat/engine.py", "FitSpec → Path + Selection: the one fit engine"),
    (
        "resampling",
        "penstat/resampling/",
        "engine on resampled rows → bootstrap, stability",
    ),
    ("results", "penstat/results/", "→ PenalizedFit, Summary, export (versioned dict)"),
    ("api", "penstat/api.py", "ps.fit / lasso / ridge / elastic_net → PenalizedFit"),
    (
        "surfaces",
        "report.py · cli.py · sklearn.py",
        "HTML / Markdown report, CLI, estimators",
    ),
]

BOX_X, BOX_W, BOX_H, GAP, TOP = 100, 540, 46, 18, 70
PLOTS_H = 50
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"
STAGE_FILL, STAGE_STROKE = "#eef3fb", "#3b6ab0"
ENGINE_FILL = "#fdf1dc"


def box_y(i: int) -> int:
    return TOP + i * (BOX_H + GAP)


def text(x, y, s, size=13, weight="normal", anchor="start", fill="#1b1b1b", extra=""):
    return (
        f"<text x='{x}' y='{y}' {FONT} font-size='{size}' font-weight='{weight}' "
        f"text-anchor='{anchor}' fill='{fill}' {extra}>{escape(s)}</text>"
    )


def arrow(x1, y1, x2, y2, dashed=False, colour="#444"):
    dash = " stroke-dasharray='5 4'" if dashed else ""
    return (
        f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' stroke='{colour}' "
        f"stroke-width='1.6'{dash} marker-end='url(#head)'/>"
    )


def main() -> None:
    plots_y = box_y(len(STAGES)) + 8
    height = plots_y + PLOTS_H + 12
    width = BOX_X + BOX_W + 20
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' "
        "aria-label='penstat data flow: each stage imports only the stages before it'>",
        "<defs><marker id='head' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
        "fill='#444'/></marker></defs>",
        f"<rect x='0' y='0' width='{width}' height='{height}' fill='white'/>",
        text(20, 28, "penstat: one direction of data flow", 16, "bold"),
        text(
            20,
            48,
            "each stage imports only the stages above it (import-linter layers contract)",
            12,
            fill="#555",
        ),
    ]
    for i, (stage, module, flow) in enumerate(STAGES):
        y = box_y(i)
        fill = ENGINE_FILL if stage == "engine" else STAGE_FILL
        parts.append(
            f"<rect x='{BOX_X}' y='{y}' width='{BOX_W}' height='{BOX_H}' rx='7' "
            f"fill='{fill}' stroke='{STAGE_STROKE}' stroke-width='1.4'/>"
        )
        parts.append(text(BOX_X + 12, y + 19, f"{i + 1}. {stage}", 14, "bold"))
        parts.append(
            text(
                BOX_X + 150, y + 19, module, 12, fill="#3b6ab0", extra="font-style='italic'"
            )
        )
        parts.append(text(BOX_X + 12, y + 37, flow, 12))
        if i:
            parts.append(arrow(BOX_X + BOX_W / 2, y - GAP, BOX_X + BOX_W / 2, y - 2))

    # resampling re-runs the engine: a call into an earlier stage, not a flow back
    e, r = box_y(4) + BOX_H / 2, box_y(5) + BOX_H / 2
    parts.append(
        f"<path d='M{BOX_X},{r} C{BOX_X - 45},{r} {BOX_X - 45},{e} {BOX_X - 3},{e}' "
        "fill='none' stroke='#b06a00' stroke-width='1.4' stroke-dasharray='5 4' "
        "marker-end='url(#head)'/>"
    )
    for k, s in enumerate(("each", "replicate", "re-runs the", "engine")):
        parts.append(text(BOX_X - 40, e + 6 + 14 * k, s, 10, anchor="end", fill="#b06a00"))

    # plots/: beside the chain, depending only on declared Protocols
    parts.append(
        f"<rect x='{BOX_X}' y='{plots_y}' width='{BOX_W}' height='{PLOTS_H}' rx='7' "
        "fill='#f3f3f3' stroke='#777' stroke-width='1.2' stroke-dasharray='6 4'/>"
    )
    parts.append(text(BOX_X + 12, plots_y + 20, "plots (beside)", 14, "bold"))
    parts.append(
        text(
            BOX_X + 150,
            plots_y + 20,
            "penstat/plots/",
            12,
            fill="#3b6ab0",
            extra="font-style='italic'",
        )
    )
    parts.append(
        text(
            BOX_X + 12,
            plots_y + 38,
            "drawing functions on declared typing.Protocols: every stage can offer .plot()",
            12,
        )
    )
    parts.append("</svg>")
    OUT.write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
