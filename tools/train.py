#!/usr/bin/env python3
"""Train the shipped BS-Roformer on a stem bank, in runs that stop and resume.

Data: a stem bank (tools/build_bank.py: songs rendered once from real recordings), remixed and
changed at training time by stemsafe_tools.augment.Mixer. The step is stemsafe_tools.trainer.step
(bf16 matrix products, the fast exact loss). See docs/training.md.

A run has a name. Its state (model, moving average, optimizer, counters, the mixer's random
state) is checkpointed into .train/NAME/ckpt.pt (git-ignored) every --ckpt-minutes and when the
process is stopped (SIGTERM, SIGINT, or a file .train/NAME/STOP); running the same command again
resumes it exactly where it stopped. The first start loads --init (the bundled model's weights,
recovered with tools/onnx_to_checkpoint.py). Its record goes to tools/runs/NAME/ (committed):
config.json, log.csv (loss and speed against examples seen), val.csv (uSDR on rendered
validation songs). Every --snapshot-examples examples the moving-average weights are written to
.train/NAME/snapshots/ for tools/eval_run.py (eval-real through the browser pipeline).

The number of threads can be changed while it runs: write it into .train/NAME/threads (e.g. 1
while the test suite runs, 2 otherwise).

usage: /usr/bin/python3 tools/train.py --run NAME --bank .bank/main [--init .ckpt/bsr-4stem-synth.ckpt]
           [--hours H] [--threads 2] [--lr 2e-4] [--batch 4]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import trainer  # noqa: E402
from stemsafe_tools.augment import Mixer  # noqa: E402
from stemsafe_tools.cpu import tune_process  # noqa: E402
from stemsafe_tools.stembank import StemBank  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "tools" / "runs"
STATE = ROOT / ".train"
HOP = 441


def atomic_save(obj, path: Path) -> None:
    tmp = path.with_name(path.name + ".partial")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def save_npz(state: dict, path: Path) -> None:
    tmp = path.with_name(path.name + ".partial.npz")
    np.savez(tmp, **{k: v.detach().float().cpu().numpy() for k, v in state.items()})
    os.replace(tmp, path)


def append_csv(path: Path, header: list, row: list) -> None:
    new = not path.exists()
    with open(path, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(header)
        w.writerow(row)


def validation_set(args, state_dir: Path) -> torch.Tensor | None:
    """Rendered validation songs (render.VALIDATION_SEED_BASE.., the stem bank's renderer), made
    once per run and kept, so the run's validation curve always scores the same songs."""
    path = state_dir / "val.npy"
    if path.exists():
        return torch.from_numpy(np.load(path))
    if not args.val_pack:
        return None
    from stemsafe_tools import render
    from stemsafe_tools.pack import Bank
    bank = Bank(args.val_pack, "cpu", gpl=args.gpl)
    stems, seeds = render.validation_songs(bank, args.val_songs, args.val_seconds, "cpu", version=2)
    np.save(path, stems.numpy())
    (state_dir / "val.json").write_text(json.dumps(dict(pack=args.val_pack, seeds=seeds, seconds=args.val_seconds,
                                                        renderer_version=2)) + "\n")
    return stems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, help="run name: state in .train/NAME, record in tools/runs/NAME")
    ap.add_argument("--bank", nargs="+", required=True, help="stem bank folder(s) (tools/build_bank.py)")
    ap.add_argument("--init", help="weights for a new run (.npz from this script, or a torch state dict)")
    ap.add_argument("--hours", type=float, default=0.0, help="stop after this many hours (0: until stopped)")
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps in this invocation")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--chunk-frames", type=int, default=201)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--warmup", type=int, default=200, help="steps of linear warm-up (new runs)")
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--ema", type=float, default=0.999, help="decay of the moving average of the weights")
    ap.add_argument("--fp32", action="store_true", help="matrix products in float32 (default: bfloat16 autocast)")
    ap.add_argument("--ckpt-minutes", type=float, default=10.0)
    ap.add_argument("--snapshot-examples", type=int, default=4000)
    ap.add_argument("--log-steps", type=int, default=25)
    ap.add_argument("--val-minutes", type=float, default=30.0)
    ap.add_argument("--val-pack", default=str(ROOT / ".pack" / "train"), help="pack for the validation songs")
    ap.add_argument("--val-songs", type=int, default=16)
    ap.add_argument("--val-seconds", type=float, default=6.0)
    ap.add_argument("--gpl", action="store_true", help="the validation songs may use the pack's copyleft material")
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--train-only", help="comma-separated stems (e.g. vocals,drums): train only their mask heads, "
                                         "every other weight stays as --init left it (so the other stems' outputs do not change)")
    ap.add_argument("--trunk-lr-scale", type=float, default=1.0,
                    help="the weights outside the mask heads learn at this times --lr (with every weight trained)")
    ap.add_argument("--mix-engineering", action="store_true",
                    help="re-amp and compress the bass, low-cut vocals and other (stemsafe_tools.augment)")
    ap.add_argument("--bass-tone", type=float, default=0.0,
                    help="probability of low-passing the bass at 150-800 Hz (stemsafe_tools.augment: bass_tone)")
    ap.add_argument("--distill", help="comma-separated estimated stems (e.g. bass) scored against what --teacher makes "
                    "of each mix instead of the bank's stems (stemsafe_tools.trainer.step)")
    ap.add_argument("--teacher", help="weights of the frozen teacher for --distill (.npz or a torch state dict)")
    ap.add_argument("--quiet-stems", dest="quiet", type=float, default=0.0,
                    help="probability per stem of setting it 12-26 dB below the rest of the mix (stemsafe_tools.augment: quiet)")
    ap.add_argument("--narrow", type=float, default=0.0,
                    help="probability of narrowing an example's stereo image, to mono half the time (stemsafe_tools.augment: narrow)")
    ap.add_argument("--drums-tone", type=float, default=0.0,
                    help="probability of low-passing the drums at 4-12 kHz (stemsafe_tools.augment: drums_tone)")
    ap.add_argument("--other-layers", type=float, default=0.0,
                    help="probability of adding 1-2 more 'other' parts from the bank (stemsafe_tools.augment: other_layers)")
    ap.add_argument("--vocal-low-cut", type=float, default=0.0,
                    help="probability of high-passing the vocals at 60-200 Hz (stemsafe_tools.augment: vocal_low_cut)")
    ap.add_argument("--loss", choices=sorted(trainer.LOSSES), default="l1-stft",
                    help="l1-stft: the loss the bundled model learned with; sdr: minus the evaluation's uSDR")
    ap.add_argument("--stem-weights", help="the uSDR loss's weight of each stem, as vocals=2 or vocals=2,drums=0.5 (the rest 1; "
                    "stemsafe_tools.losses.sdr_loss)")
    ap.add_argument("--state-dir", help="checkpoints here instead of .train/NAME (tools/gpu_burst.sh)")
    ap.add_argument("--record-dir", help="logs here instead of tools/runs/NAME (tools/gpu_burst.sh)")
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    state_dir = Path(args.state_dir) if args.state_dir else STATE / args.run
    run_dir = Path(args.record_dir) if args.record_dir else RUNS / args.run
    (state_dir / "snapshots").mkdir(parents=True, exist_ok=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    threads_file = state_dir / "threads"
    stop_file = state_dir / "STOP"
    if stop_file.exists():
        stop_file.unlink()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    bank = StemBank(args.bank)
    length = (args.chunk_frames - 1) * HOP
    if not bank.songs:
        sys.exit(f"no finished shards in {args.bank}: build with tools/build_bank.py")
    model = trainer.make_model().to(device)
    if args.train_only:
        heads = [trainer.STEMS.index(s) for s in args.train_only.split(",")]
        if any(h >= len(model.mask_estimators) for h in heads):
            sys.exit(f"--train-only: {args.train_only} includes the residual stem, which has no head")
        for name, param in model.named_parameters():
            param.requires_grad = any(name.startswith(f"mask_estimators.{h}.") for h in heads)
    if args.trunk_lr_scale != 1.0 and args.train_only:
        sys.exit("--trunk-lr-scale trains the trunk: leave out --train-only")
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if args.trunk_lr_scale == 1.0:  # one group, as runs before this option had (their checkpoints resume)
        groups, scales = [[p for _, p in trainable]], [1.0]
    else:
        groups = [[p for n, p in trainable if n.startswith("mask_estimators.")],
                  [p for n, p in trainable if not n.startswith("mask_estimators.")]]
        scales = [1.0, args.trunk_lr_scale]
    opt = torch.optim.AdamW([dict(params=g) for g in groups], lr=args.lr, weight_decay=args.weight_decay)
    teacher, distill = None, ()
    if args.distill:
        if not args.teacher:
            sys.exit("--distill needs --teacher")
        distill = tuple(trainer.STEMS.index(s) for s in args.distill.split(","))
        if any(i >= len(model.mask_estimators) for i in distill):
            sys.exit(f"--distill: {args.distill} includes the residual stem, which has no head")
        teacher = trainer.make_model().to(device)
        trainer.load_weights(teacher, args.teacher)
        teacher.eval().requires_grad_(False)
    stem_weights = None
    if args.stem_weights:
        if args.loss not in ("sdr", "sdr-pooled"):
            sys.exit("--stem-weights needs --loss sdr or sdr-pooled")
        pairs = [kv.split("=") for kv in args.stem_weights.split(",")]
        if any(len(kv) != 2 for kv in pairs):
            sys.exit(f"--stem-weights: write each as stem=weight (e.g. vocals=2), not {args.stem_weights!r}")
        given = dict(pairs)
        if set(given) - set(trainer.STEMS):
            sys.exit(f"--stem-weights: {', '.join(sorted(set(given) - set(trainer.STEMS)))} is no stem ({', '.join(trainer.STEMS)})")
        stem_weights = [float(given.get(s, 1.0)) for s in trainer.STEMS]
        if min(stem_weights) < 0 or max(stem_weights) <= 0:
            sys.exit("--stem-weights: weights are at least 0, and one above")
    mix_p = dict(bass_reamp=0.3, bass_comp=0.3, low_cut=0.5) if args.mix_engineering else {}
    for key in ("bass_tone", "vocal_low_cut", "other_layers", "drums_tone", "quiet", "narrow"):  # probabilities, passed as given
        if getattr(args, key):
            mix_p[key] = getattr(args, key)
    mixer = Mixer(bank, length, args.seed, mix_p or None)
    ckpt_path = state_dir / "ckpt.pt"
    counters = dict(step=0, examples=0, wall=0.0, started=time.strftime("%Y-%m-%d %H:%M:%S"), sessions=0)
    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        if len(ck["opt"]["param_groups"]) != len(opt.param_groups):
            sys.exit(f"{args.run} was started {'with' if len(ck['opt']['param_groups']) == 2 else 'without'} "
                     "--trunk-lr-scale: resume it the same way")
        opt.load_state_dict(ck["opt"])
        ema = trainer.Ema(model, args.ema)
        ema.shadow = {k: v.to(device) for k, v in ck["ema"].items()}
        mixer.load_state(ck["mixer"])
        torch.set_rng_state(ck["torch_rng"])
        counters = ck["counters"]
        if "distill" in counters and (counters["distill"], counters.get("teacher")) != (args.distill, args.teacher):
            sys.exit(f"{args.run} was started with --distill {counters['distill']} --teacher {counters.get('teacher')}: "
                     "resume it the same way")
        if counters.get("stem_weights") != stem_weights:
            sys.exit(f"{args.run} was started with stem weights {counters.get('stem_weights')}: resume it the same way")
        print(f"resumed {args.run}: step {counters['step']}, {counters['examples']} examples, "
              f"{counters['wall'] / 3600:.2f} h", flush=True)
    else:
        if args.init:
            trainer.load_weights(model, args.init)
            print(f"new run {args.run} from {args.init}", flush=True)
        counters["init"] = args.init
        counters["distill"], counters["teacher"] = args.distill, args.teacher
        counters["stem_weights"] = stem_weights
        ema = trainer.Ema(model, args.ema)
    for group in opt.param_groups:
        group["weight_decay"] = args.weight_decay
    counters["sessions"] = counters.get("sessions", 0) + 1
    val = validation_set(args, state_dir)

    config = dict(model=trainer.SHIPPED, stems=list(trainer.STEMS), estimated=list(trainer.STEMS[:3]), residual="other",
                  chunk_frames=args.chunk_frames, params=sum(p.numel() for p in model.parameters()),
                  batch=args.batch, lr=args.lr, ema=args.ema, trunk_lr_scale=args.trunk_lr_scale,
                  trained=args.train_only.split(",") if args.train_only else "all weights", precision="float32" if args.fp32 else "bfloat16 autocast",
                  loss=trainer.LOSSES[args.loss],
                  **({"distill": args.distill.split(","), "teacher": args.teacher} if args.distill else {}),
                  **({"stem_weights": dict(zip(trainer.STEMS, stem_weights))} if stem_weights else {}),
                  init=counters.get("init", args.init), banks=[str(b) for b in args.bank], bank_seconds=round(bank.seconds()),
                  training_data=bank.licences(), device=device, torch=torch.__version__, argv=sys.argv[1:])

    def write_config():
        doc = {**config, "examples_seen": counters["examples"], "steps": counters["step"],
               "wall_seconds": round(counters["wall"]), "sessions": counters["sessions"], "started": counters["started"]}
        (run_dir / "config.json").write_text(json.dumps(doc, indent=2) + "\n")

    def checkpoint():
        atomic_save(dict(model=model.state_dict(), opt=opt.state_dict(), ema=ema.shadow, mixer=mixer.state(),
                         torch_rng=torch.get_rng_state(), counters=counters), ckpt_path)
        write_config()

    stopping = {"flag": False}

    def on_signal(signum, frame):
        stopping["flag"] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def run_validation():
        if val is None:
            return
        shadow_model = trainer.make_model().to(device)
        ema.copy_to(shadow_model)
        scores = trainer.validate(shadow_model, val.to(device))
        append_csv(run_dir / "val.csv", ["examples", "wall_seconds", *trainer.STEMS, "mean"],
                   [counters["examples"], round(counters["wall"])] + [f"{scores[k]:.3f}" for k in (*trainer.STEMS, "mean")])
        print(f"validation at {counters['examples']} examples: " + " ".join(f"{k} {v:.2f}" for k, v in scores.items()), flush=True)

    def snapshot():
        path = state_dir / "snapshots" / f"ex-{counters['examples']:09d}.npz"
        save_npz(ema.shadow, path)

    if counters["step"] == 0:
        run_validation()
    print(f"{device}, {bank.seconds() / 3600:.2f} h of songs in {len(bank.songs)} bank songs, batch {args.batch} x "
          f"{length / 44100:.2f} s, {'fp32' if args.fp32 else 'bf16 autocast'}", flush=True)
    session_start = time.time()
    last = dict(ckpt=time.time(), val=time.time(), refresh=time.time())
    window = dict(loss=[], data=0.0, forward=0.0, backward=0.0, optimizer=0.0, n=0)
    next_snapshot = (counters["examples"] // args.snapshot_examples + 1) * args.snapshot_examples
    threads = args.threads
    steps_here = 0
    while not stopping["flag"]:
        if args.hours and time.time() - session_start > args.hours * 3600:
            break
        if args.steps and steps_here >= args.steps:
            break
        if steps_here % 10 == 0:
            if stop_file.exists():
                break
            try:
                wanted = int(threads_file.read_text().strip()) if threads_file.exists() else args.threads
            except ValueError:
                wanted = args.threads
            if wanted != threads and wanted > 0:
                threads = wanted
                torch.set_num_threads(threads)
        t0 = time.time()
        stems = mixer.batch(args.batch).to(device)
        t_data = time.time() - t0
        lr = args.lr * min(1.0, (counters["step"] + 1) / args.warmup)
        for group, scale in zip(opt.param_groups, scales):
            group["lr"] = lr * scale
        loss, phases = trainer.step(model, opt, stems, bf16=not args.fp32, loss_name=args.loss,
                                    teacher=teacher, distill=distill, stem_weights=stem_weights)
        if not math.isfinite(loss):
            sys.exit(f"loss is {loss} at step {counters['step']}: stopping without a checkpoint")
        ema.update(model)
        elapsed = time.time() - t0
        counters["step"] += 1
        counters["examples"] += args.batch
        counters["wall"] += elapsed
        steps_here += 1
        window["loss"].append(loss)
        window["data"] += t_data
        for k, v in phases.items():
            window[k] += v
        window["n"] += args.batch
        if counters["step"] % args.log_steps == 0:
            n = window["n"]
            append_csv(run_dir / "log.csv", ["examples", "wall_seconds", "step", "lr", "loss", "threads", "s_per_example",
                                              "data", "forward", "backward", "optimizer"],
                       [counters["examples"], round(counters["wall"], 1), counters["step"], f"{lr:.2e}",
                        f"{np.mean(window['loss']):.5f}", threads,
                        f"{(window['data'] + window['forward'] + window['backward'] + window['optimizer']) / n:.3f}",
                        *(f"{window[k] / n:.3f}" for k in ("data", "forward", "backward", "optimizer"))])
            window = dict(loss=[], data=0.0, forward=0.0, backward=0.0, optimizer=0.0, n=0)
        if counters["examples"] >= next_snapshot:
            snapshot()
            next_snapshot += args.snapshot_examples
        now = time.time()
        if now - last["refresh"] > 600:
            before = len(bank.songs)
            if bank.refresh() != before:
                print(f"bank: {len(bank.songs)} songs ({bank.seconds() / 3600:.2f} h)", flush=True)
                config["bank_seconds"] = round(bank.seconds())
            last["refresh"] = now
        if now - last["val"] > args.val_minutes * 60:
            run_validation()
            last["val"] = time.time()
        if now - last["ckpt"] > args.ckpt_minutes * 60:
            checkpoint()
            last["ckpt"] = time.time()
    checkpoint()
    snapshot()
    print(f"stopped {args.run} at step {counters['step']}, {counters['examples']} examples, "
          f"{counters['wall'] / 3600:.2f} h; checkpoint {ckpt_path}", flush=True)


if __name__ == "__main__":
    tune_process()
    main()
