"""Training-curve SVG: well-formed, one polyline per series at the right pixels, later rows win, clear errors."""
import json
import xml.etree.ElementTree as ET

import pytest

from training.las import run_curve
from training.las.run_curve import Axes, Point, Run

SVG = "{http://www.w3.org/2000/svg}"
HEADER = "step,elapsed_s,global_cer,global_wer,local_cer,local_wer,ctc_cer,ctc_wer\n"


def _log(path, rows):
    path.write_text(HEADER + "".join(f"{s},0.0,{g},0.9,{l},0.8,{c},0.7\n" for s, g, l, c in rows))
    return str(path)


def _series(svg):
    root = ET.fromstring(svg)
    return {p.get("data-series"): [tuple(map(float, xy.split(","))) for xy in p.get("points").split()]
            for p in root.iter(SVG + "polyline")}


def test_one_polyline_per_series_at_the_right_pixels(tmp_path):
    a = _log(tmp_path / "a.csv", [(0, 0.50, 0.40, 0.30), (100, 0.40, 0.20, 0.10)])
    b = _log(tmp_path / "b.csv", [(0, 0.30, 0.30, 0.20)])
    axes = Axes(0, 1000, 0, 100)
    svg = run_curve.render([Run("first", 0, a), Run("second", 500, b, side=True)], [Point("p", 250, 25)], axes=axes)
    series = _series(svg)
    assert sorted(series) == ["first CTC", "first attention", "second CTC", "second attention"]
    width = run_curve.PLOT_RIGHT - run_curve.PLOT_LEFT
    height = run_curve.PLOT_BOTTOM - run_curve.PLOT_TOP
    # attention = mean of global and local, in %: 45 and 30 at steps 0 and 100; the second run is shifted by 500
    assert series["first attention"] == [(run_curve.PLOT_LEFT, run_curve.PLOT_BOTTOM - 0.45 * height),
                                         (run_curve.PLOT_LEFT + 0.1 * width, run_curve.PLOT_BOTTOM - 0.30 * height)]
    assert series["first CTC"][1] == (run_curve.PLOT_LEFT + 0.1 * width, run_curve.PLOT_BOTTOM - 0.10 * height)
    assert series["second CTC"] == [(run_curve.PLOT_LEFT + 0.5 * width, run_curve.PLOT_BOTTOM - 0.20 * height)]
    (dot,) = [c for c in ET.fromstring(svg).iter(SVG + "circle") if c.get("class") == "point"]
    assert (float(dot.get("cx")), float(dot.get("cy"))) == (run_curve.PLOT_LEFT + 0.25 * width,
                                                             run_curve.PLOT_BOTTOM - 0.25 * height)


def test_repeated_step_keeps_the_later_row(tmp_path):
    path = _log(tmp_path / "resumed.csv", [(0, 0.5, 0.5, 0.5), (147, 0.9, 0.9, 0.9), (200, 0.4, 0.4, 0.4),
                                           (147, 0.2, 0.2, 0.2)])
    steps, attention, ctc = run_curve.read_validation(path)
    assert list(steps) == [0, 147, 200]
    assert list(attention) == pytest.approx([50, 20, 40])
    assert list(ctc) == pytest.approx([50, 20, 40])


def test_main_writes_parseable_svg_in_command_line_order(tmp_path):
    a = _log(tmp_path / "a.csv", [(0, 0.5, 0.4, 0.3), (10, 0.4, 0.3, 0.2)])
    points = tmp_path / "points.json"
    points.write_text(json.dumps([{"label": "bundle", "step": 105, "cer": 31.5}]))
    out = tmp_path / "curve.svg"
    run_curve.main(["--out", str(out), "--side-run", f"side:100:{a}", "--run", f"main:100:{a}",
                    "--point", "run 1 bundle:100:41.5", "--points", str(points)])
    root = ET.parse(out).getroot()
    assert [p.get("data-series") for p in root.iter(SVG + "polyline")] == [
        "side attention", "side CTC", "main attention", "main CTC"]
    widths = [float(p.get("stroke-width")) for p in root.iter(SVG + "polyline")]
    assert widths[0] < widths[2]
    assert len([c for c in root.iter(SVG + "circle") if c.get("class") == "point"]) == 2
    texts = " ".join(t.text for t in root.iter(SVG + "text"))
    assert "run 1 bundle 41.5 %" in texts and "bundle 31.5 %" in texts and "(step 100)" in texts


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    ("", "missing column"),
    ("step,elapsed_s,global_cer\n0,0,0.5\n", "missing column(s) local_cer, ctc_cer"),
    (HEADER, "no rows"),
    (HEADER + "0,0.0,0.5,0.9,oops,0.8,0.3,0.7\n", "line 2 is malformed"),
    (HEADER + "0,0.0,0.5,0.9\n", "line 2 is malformed"),
    (HEADER + "0,0.0,nan,0.9,0.4,0.8,0.3,0.7\n", "line 2 has a non-finite"),
])
def test_missing_or_malformed_log_names_the_file(tmp_path, content, message):
    path = tmp_path / "validation.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ValueError, match="validation.csv") as err:
        run_curve.read_validation(str(path))
    assert message in str(err.value)


def test_bad_arguments_are_clear(tmp_path):
    with pytest.raises(ValueError, match="OFFSET 'x'"):
        run_curve.parse_run("run 2:x:a.csv")
    with pytest.raises(ValueError, match="LABEL:STEP:CER_PERCENT"):
        run_curve.parse_point("run 4 bundle:11500")
    bad = tmp_path / "points.json"
    bad.write_text('[{"label": "x"}]')
    with pytest.raises(ValueError, match="points.json"):
        run_curve.read_points(str(bad))
