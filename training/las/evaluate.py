"""Evaluate stage: decode every evaluation set through the bundle's ONNX graphs (onnxruntime-node,
training/tools/eval_onnx.ts) in global and local mode, and print a markdown table.

    python3 -m training.las.evaluate --bundle models/las-small --out training/work/eval

Real speech under /work/shared/realspeech is evaluation only: never train or tune on it.
"""
import argparse
import json
import os
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REAL = "/work/shared/realspeech"

# name, manifest, base dir (None: the manifest's folder), group column
SETS = (
    ("test (held-out voices slt-hts, rms; held-out text)", "training/work/corpus/test.tsv", None, "voice"),
    ("validation (validation voices rhvoice clb, pico en-GB, mb-us2; dev text)", "training/work/corpus/validation.tsv", None, "voice"),
    ("dev (training voices, held-out text)", "training/work/corpus/dev.tsv", None, None),
    ("longform (~40 s, held-out voices)", "training/work/corpus/longform.tsv", None, "voice"),
    ("real digits (FSDD test, 8 kHz -> 16 kHz)", f"{REAL}/fsdd/test.tsv", f"{REAL}/fsdd", None),
    ("real sentences (50)", f"{REAL}/sentences/manifest.tsv", f"{REAL}/sentences", "source_repo"),
)


def run_set(bundle: str, manifest: str, base, group, out_json: str, limit=None) -> dict:
    cmd = ["npx", "tsx", "training/tools/eval_onnx.ts", "--bundle", bundle, "--manifest", manifest, "--out", out_json]
    if base:
        cmd += ["--base", base]
    if group:
        cmd += ["--group", group]
    if limit:
        cmd += ["--limit", str(limit)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"eval failed on {manifest}: {proc.stderr[-2000:]}")
    with open(out_json) as f:
        return json.load(f)


def _row(name: str, summary: dict, n: int) -> str:
    cells = [f"{summary[m]['wer'] * 100:.1f} / {summary[m]['cer'] * 100:.1f}" for m in ("global", "local", "ctc")]
    return f"| {name} | {n} | " + " | ".join(cells) + f" | {summary['global']['exact'] * 100:.1f} / {summary['local']['exact'] * 100:.1f} |"


def table(results: list) -> str:
    lines = ["| set | utts | global WER / CER % | local WER / CER % | greedy CTC WER / CER % | exact match % (global / local) |",
             "|---|---|---|---|---|---|"]
    for name, res in results:
        lines.append(_row(name, res["all"], res["utterances"]))
        for group, summary in sorted((res.get("groups") or {}).items()):
            lines.append(_row(f"&nbsp;&nbsp;{name.split(' (')[0]}: {group}", summary, summary["global"]["utterances"]))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--out", default="training/work/eval")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--sets", help="comma-separated indices into the set list (default all)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    chosen = [SETS[int(i)] for i in args.sets.split(",")] if args.sets else SETS
    results = []
    for name, manifest, base, group in chosen:
        if not os.path.exists(manifest if os.path.isabs(manifest) else os.path.join(REPO, manifest)):
            print(f"skip {name}: {manifest} missing")
            continue
        out_json = os.path.join(args.out, os.path.basename(os.path.dirname(manifest)) + "_" + os.path.basename(manifest) + ".json")
        res = run_set(args.bundle, manifest, base, group, out_json, args.limit)
        print(f"{name}: {json.dumps(res['all'])} ({res['seconds']:.0f} s)", flush=True)
        results.append((name, res))
    md = table(results)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
