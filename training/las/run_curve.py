"""Validation CER against cumulative training steps over several warm-started runs, as an SVG.

    /usr/bin/python3 -m training.las.run_curve --out docs/training-curve.svg \\
        --title "Validation CER by training step, runs 2-4 (greedy decoding; points: default decoding without LM)" \\
        --run "run 2 (arm B):6519:training/work/logs/validation.csv" \\
        --side-run "run 3 A:8636:training/work/runs/s3A/logs/validation.csv" \\
        --side-run "run 3 B:8636:training/work/runs/s3B/logs/validation.csv" \\
        --run "run 3 C:8636:training/work/runs/s3C/logs/validation.csv" \\
        --run "run 4:10070:training/work/runs/s4/logs/validation.csv" \\
        --point "run 1 bundle:6362:41.5" --point "run 2 bundle:8636:30.7" \\
        --point "run 3 bundle:10070:30.2"

Each run is LABEL:OFFSET:CSV, where OFFSET is the cumulative step at which the run's step 0 lies
(the sum of the steps of every run it warm-started from) and CSV is its validate.py log
(step,elapsed_s,global_cer,...,ctc_cer,ctc_wer; CER as fractions). A run draws two series in
one colour: attention greedy CER (the mean of global_cer and local_cer; solid) and CTC greedy CER
(ctc_cer; dashed). --side-run draws the same, thinly, for the side arms of an A/B. A resumed run
repeats steps after its checkpoint: the later row wins. Points (--point LABEL:STEP:CER_PERCENT or
--points FILE.json, a list of {"label", "step", "cer"}) are single measurements of a bundle.
Every distinct OFFSET is drawn as a run boundary. The output is a plain SVG (no plotting
library); look at it rendered, e.g. `convert docs/training-curve.svg /tmp/training-curve.png` or
`chromium --headless --screenshot=/tmp/training-curve.png --window-size=1180,560 FILE.svg`.
"""
import argparse
import csv
import json
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np

WIDTH, HEIGHT = 1180, 560
PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM = 80, 70, 860, 490  # the axes box, in pixels
LEGEND_LEFT = PLOT_RIGHT + 24
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
REQUIRED = ("step", "global_cer", "local_cer", "ctc_cer")
HALO = ' stroke="white" stroke-width="4" paint-order="stroke"'  # a label stays readable over grid and boundary lines
TITLE = "Validation CER by training step (greedy decoding; points: default decoding without LM)"


@dataclass(frozen=True)
class Run:
    label: str
    offset: int
    path: str
    side: bool = False


@dataclass(frozen=True)
class Point:
    label: str
    step: float
    cer: float  # percent


def read_validation(path: str):
    """(cumulative-free) steps, attention CER % and CTC CER %, sorted by step; the later row of a repeated step wins."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{path}: not a validation log, missing column(s) {', '.join(missing)}")
            by_step = {}
            for line, row in enumerate(reader, start=2):
                try:
                    step = int(row["step"])
                    values = [float(row[c]) for c in REQUIRED[1:]]
                except (TypeError, ValueError):
                    raise ValueError(f"{path}: line {line} is malformed: {row}") from None
                if not all(math.isfinite(v) for v in values):
                    raise ValueError(f"{path}: line {line} has a non-finite CER: {row}")
                by_step.pop(step, None)
                by_step[step] = values
    except OSError as e:
        raise ValueError(f"{path}: cannot read validation log ({e.strerror})") from None
    if not by_step:
        raise ValueError(f"{path}: validation log has no rows")
    steps = np.array(sorted(by_step), dtype=np.float64)
    rows = np.array([by_step[int(s)] for s in steps])  # [rows, 3]: global, local, ctc
    return steps, 100 * (rows[:, 0] + rows[:, 1]) / 2, 100 * rows[:, 2]


def parse_run(text: str, side: bool = False) -> Run:
    parts = text.split(":", 2)
    if len(parts) != 3:
        raise ValueError(f"run {text!r}: expected LABEL:OFFSET:CSV")
    try:
        offset = int(parts[1])
    except ValueError:
        raise ValueError(f"run {text!r}: OFFSET {parts[1]!r} is not an integer step") from None
    return Run(parts[0], offset, parts[2], side)


def parse_point(text: str) -> Point:
    parts = text.rsplit(":", 2)
    try:
        return Point(parts[0], float(parts[1]), float(parts[2]))
    except (IndexError, ValueError):
        raise ValueError(f"point {text!r}: expected LABEL:STEP:CER_PERCENT") from None


def read_points(path: str) -> list:
    try:
        with open(path) as f:
            items = json.load(f)
        return [Point(str(p["label"]), float(p["step"]), float(p["cer"])) for p in items]
    except OSError as e:
        raise ValueError(f"{path}: cannot read points ({e.strerror})") from None
    except (ValueError, TypeError, KeyError) as e:
        raise ValueError(f"{path}: expected a JSON list of {{label, step, cer}} ({e})") from None


def nice_step(span: float, ticks: int) -> float:
    """The 1/2/5 x 10^k tick spacing that gives about `ticks` intervals over `span`."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


@dataclass(frozen=True)
class Axes:
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def x(self, step: float) -> float:
        return PLOT_LEFT + (step - self.x_min) / (self.x_max - self.x_min) * (PLOT_RIGHT - PLOT_LEFT)

    def y(self, cer: float) -> float:
        return PLOT_BOTTOM - (cer - self.y_min) / (self.y_max - self.y_min) * (PLOT_BOTTOM - PLOT_TOP)


def fit_axes(xs, ys) -> Axes:
    """Ranges rounded out to whole ticks, so the data never touches the frame."""
    dx = nice_step(max(xs) - min(xs) or 1, 10)
    dy = nice_step(max(ys) - min(ys) or 1, 8)
    return Axes(math.floor(min(xs) / dx) * dx, math.ceil((max(xs) + dx / 4) / dx) * dx,
                math.floor((min(ys) - dy / 4) / dy) * dy, math.ceil((max(ys) + dy / 4) / dy) * dy)


def _text(x, y, s, size=12, anchor="start", extra=""):
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>{escape(s)}</text>'


def render(runs, points, title=TITLE, axes: Axes = None) -> str:
    """The SVG text: one polyline per series (class "series", data-series naming it)."""
    data = [(run, *read_validation(run.path)) for run in runs]
    if axes is None:
        xs = [v for run, s, _, _ in data for v in (run.offset + s[0], run.offset + s[-1])] + [p.step for p in points]
        ys = [v for _, _, a, c in data for v in (a.min(), a.max(), c.min(), c.max())] + [p.cer for p in points]
        axes = fit_axes(xs, ys)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           _text(WIDTH / 2, 28, title, 16, "middle", ' font-weight="bold"')]
    dx = nice_step(axes.x_max - axes.x_min, 10)
    for k in range(int(round((axes.x_max - axes.x_min) / dx)) + 1):
        v = axes.x_min + k * dx
        out.append(f'<line x1="{axes.x(v):.1f}" y1="{PLOT_TOP}" x2="{axes.x(v):.1f}" y2="{PLOT_BOTTOM + 5}" stroke="#e4e4e4"/>')
        out.append(_text(axes.x(v), PLOT_BOTTOM + 20, f"{v:,.0f}", anchor="middle"))
    dy = nice_step(axes.y_max - axes.y_min, 8)
    for k in range(int(round((axes.y_max - axes.y_min) / dy)) + 1):
        v = axes.y_min + k * dy
        out.append(f'<line x1="{PLOT_LEFT - 5}" y1="{axes.y(v):.1f}" x2="{PLOT_RIGHT}" y2="{axes.y(v):.1f}" stroke="#e4e4e4"/>')
        out.append(_text(PLOT_LEFT - 9, axes.y(v) + 4, f"{v:g}", anchor="end"))
    out.append(f'<rect x="{PLOT_LEFT}" y="{PLOT_TOP}" width="{PLOT_RIGHT - PLOT_LEFT}" '
               f'height="{PLOT_BOTTOM - PLOT_TOP}" fill="none" stroke="black"/>')
    out.append(_text((PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 44,
                     "cumulative training steps (all runs, from scratch)", 13, "middle"))
    out.append(_text(22, (PLOT_TOP + PLOT_BOTTOM) / 2, "validation CER (%)", 13, "middle",
                     f' transform="rotate(-90 22 {(PLOT_TOP + PLOT_BOTTOM) / 2:.1f})"'))
    # run boundaries: a dotted line at each distinct warm start, labelled (on top of the lines) with the runs starting there
    labels = []
    for offset in sorted({r.offset for r in runs}):
        names = [r.label for r in runs if r.offset == offset]
        name = names[0].rsplit(" ", 1)[0] if len(names) > 1 else names[0]
        xb = axes.x(offset)
        out.append(f'<line x1="{xb:.1f}" y1="{PLOT_TOP}" x2="{xb:.1f}" y2="{PLOT_BOTTOM}" '
                   f'stroke="#555" stroke-dasharray="2,3"/>')
        labels.append(_text(xb + 4, PLOT_TOP + 14, f"{name} starts", 11, extra=' fill="#333"' + HALO))
        labels.append(_text(xb + 4, PLOT_TOP + 27, f"(step {offset:,})", 11, extra=' fill="#333"' + HALO))
    legend_y = PLOT_TOP + 8
    for i, (run, steps, attention, ctc) in enumerate(data):
        colour = COLOURS[i % len(COLOURS)]
        width, opacity = (1.2, 0.75) if run.side else (2.4, 1.0)
        for kind, values, dash in (("attention", attention, ""), ("CTC", ctc, ' stroke-dasharray="7,4"')):
            coords = " ".join(f"{axes.x(run.offset + s):.1f},{axes.y(v):.1f}" for s, v in zip(steps, values))
            out.append(f'<polyline class="series" data-series="{escape(run.label)} {kind}" points="{coords}" '
                       f'fill="none" stroke="{colour}" stroke-width="{width}" stroke-opacity="{opacity}"{dash}/>')
            out.append(f'<line x1="{LEGEND_LEFT}" y1="{legend_y}" x2="{LEGEND_LEFT + 34}" y2="{legend_y}" '
                       f'stroke="{colour}" stroke-width="{width}" stroke-opacity="{opacity}"{dash}/>')
            out.append(_text(LEGEND_LEFT + 42, legend_y + 4, f"{run.label}, {kind} greedy", 12))
            legend_y += 20
    out.extend(labels)
    legend_y += 6
    for p in points:
        px, py = axes.x(p.step), axes.y(p.cer)
        out.append(f'<circle class="point" cx="{px:.1f}" cy="{py:.1f}" r="5" fill="black"/>')
        out.append(_text(px + 8, py - 14, f"{p.label} {p.cer:g} %", 11, extra=HALO))
    out.append(f'<circle cx="{LEGEND_LEFT + 17}" cy="{legend_y}" r="5" fill="black"/>')
    out.append(_text(LEGEND_LEFT + 42, legend_y + 4, "bundle, default decoding, no LM", 12))
    out.append(_text(LEGEND_LEFT, legend_y + 34, "attention = mean of global and", 11, extra=' fill="#333"'))
    out.append(_text(LEGEND_LEFT, legend_y + 48, "local attention CER", 11, extra=' fill="#333"'))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _arg(parse):
    """argparse shows an ArgumentTypeError's own message, and a plain ValueError's not at all."""
    def wrapped(text):
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return wrapped


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="the SVG to write")
    # both kinds append to one list, so the command line's order is the legend's order
    ap.add_argument("--run", action="append", dest="runs", default=[], type=_arg(parse_run),
                    help="LABEL:OFFSET:CSV, a main run (repeatable)")
    ap.add_argument("--side-run", action="append", dest="runs", type=_arg(lambda t: parse_run(t, side=True)),
                    help="LABEL:OFFSET:CSV, a side arm, drawn thinly (repeatable)")
    ap.add_argument("--point", action="append", default=[], type=_arg(parse_point),
                    help="LABEL:STEP:CER_PERCENT (repeatable)")
    ap.add_argument("--points", help="JSON file: a list of {label, step, cer}")
    ap.add_argument("--title", default=TITLE)
    args = ap.parse_args(argv)
    if not args.runs:
        ap.error("give at least one --run")
    runs = args.runs
    points = args.point + (read_points(args.points) if args.points else [])
    svg = render(runs, points, args.title)
    with open(args.out, "w") as f:
        f.write(svg)
    print(f"wrote {args.out}: {len(runs)} runs, {len(points)} points")


if __name__ == "__main__":
    main()
