"""Report helpers: loss-curve windows and the evaluation table."""
from training.las.curve import summarise
from training.las.evaluate import table


def test_curve_windows_and_resumed_duplicates(tmp_path):
    path = tmp_path / "train.csv"
    rows = ["step,elapsed_s,loss,ctc,ce_global,ce_local,grad_norm,lr,batch,max_frames,step_s,skipped"]
    rows += [f"{s},{s * 1.0},{10.0 / s},1,1,1,1,1e-3,8,200,1.0,0" for s in range(1, 8)]
    rows += ["5,5.0,99,1,1,1,1,1e-3,8,200,1.0,0"]  # a resumed run repeats step 5: the later row counts
    path.write_text("\n".join(rows) + "\n")
    lines = summarise(str(path), 4).splitlines()
    assert [l.split("|")[1].strip() for l in lines[2:]] == ["1-4", "5-7"]
    window2 = float(lines[3].split("|")[3])
    assert abs(window2 - (99 + 10 / 6 + 10 / 7) / 3) < 1e-3


def test_table_has_modes_and_groups():
    summary = {m: {"utterances": 2, "wer": 0.5, "cer": 0.25, "exact": 0.5} for m in ("global", "local", "ctc")}
    md = table([("test set", {"all": summary, "utterances": 2, "groups": {"voiceA": summary}})])
    assert "| test set | 2 | 50.0 / 25.0 | 50.0 / 25.0 | 50.0 / 25.0 | 50.0 / 50.0 |" in md
    assert "test set: voiceA" in md
