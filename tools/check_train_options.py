#!/usr/bin/env python3
"""Check the training options of tools/train.py on small random inputs (no bank needed):

* --distill STEMS --teacher W (stemsafe_tools.trainer.step): the loss a step reports is the
  uSDR loss with the distilled stem's reference replaced by the teacher's estimate of the same
  mix (the residual stem's reference with it), for the model itself and for another model as
  the teacher. (Its head still gets a gradient when its own error is zero: through the residual
  stem, whose error is minus the sum of the estimated stems' errors.)
* --quiet-stems P (stemsafe_tools.augment.Mixer._quiet): a stem it turns down ends 12-26 dB
  below the rest of the mix, and with P = 0 the mixer draws the same random numbers as before
  the option existed (runs started earlier resume the same examples).
* --narrow P (stemsafe_tools.augment.narrow): width 0 leaves every stem mono (left = right), width
  1 leaves them as they were, any width keeps each stem's mid and the stems' sum equal to the mix
  narrowed alike; with P = 1 half the mixer's examples are mono, and P = 0 draws as before.
* --stem-weights (stemsafe_tools.losses.sdr_loss weights): the weighted loss is the weighted mean
  of each scored stem's uSDR loss, computed here stem by stem; all weights 1 give the unweighted
  loss, and a stem silent in an example (not scored) carries no weight there.

usage: /usr/bin/python3 tools/check_train_options.py
"""
import copy
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import trainer  # noqa: E402
from stemsafe_tools.losses import sdr_loss  # noqa: E402
from stemsafe_tools.augment import Mixer, narrow  # noqa: E402


def check_distill() -> list[str]:
    """The loss trainer.step reports with a teacher equals sdr_loss with the distilled stem's
    reference replaced by the teacher's estimate, computed here on its own."""
    problems = []
    torch.manual_seed(0)
    stems = torch.randn(2, 4, 2, 44100) * 0.1
    mix = stems.sum(1)
    model = trainer.make_model()

    def separate(m):
        with torch.no_grad():
            return trainer.separate(m, mix, bf16=True)

    est = separate(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: every step sees the same weights
    plain, _ = trainer.step(model, opt, stems, loss_name="sdr")
    for name, teacher in (("itself", copy.deepcopy(model).eval()), ("another model", trainer.make_model().eval())):
        got, _ = trainer.step(model, opt, stems, loss_name="sdr", teacher=teacher, distill=(2,))
        refs = stems[:, :3].clone()
        refs[:, 2] = separate(teacher)[:, 2]
        want = float(sdr_loss(est, refs, mix))
        print(f"distill bass, teacher {name}: loss {got:.4f} dB, expected {want:.4f}, without distilling {plain:.4f}")
        if abs(got - want) > 1e-3:
            problems.append(f"teacher {name}: loss {got:.4f}, expected {want:.4f}")
    if got == plain:
        problems.append("distilling did not change the loss")
    return problems


def check_stem_weights() -> list[str]:
    problems = []
    torch.manual_seed(1)
    refs = torch.randn(3, 4, 2, 4000)
    refs[1, 0] = 0.0  # example 1 has no vocals: vocals not scored there
    mix = refs.sum(1)
    est = refs[:, :3] + 0.5 * torch.randn(3, 3, 2, 4000)
    full = torch.cat([est, (mix - est.sum(1))[:, None]], dim=1)
    per = {}  # (example, stem) -> the loss of that stem alone: minus its uSDR
    for b in range(3):
        floor = 1e-4 * float(mix[b].pow(2).sum())
        for k in range(4):
            num = float(refs[b, k].pow(2).sum())
            if num > floor:
                per[b, k] = 10 * np.log10((float((full[b, k] - refs[b, k]).pow(2).sum()) + floor) / num)
    for weights in ([1, 1, 1, 1], [2, 1, 1, 1], [3, 0.5, 0, 1]):
        want = sum(weights[k] * v for (b, k), v in per.items()) / sum(weights[k] for (b, k) in per)
        got = float(sdr_loss(est, refs[:, :3], mix, weights=weights))
        print(f"stem weights {weights}: loss {got:.4f} dB, expected {want:.4f}")
        if abs(got - want) > 1e-3:
            problems.append(f"stem weights {weights}: loss {got:.4f}, expected {want:.4f}")
    plain = float(sdr_loss(est, refs[:, :3], mix))
    if abs(plain - float(sdr_loss(est, refs[:, :3], mix, weights=[1, 1, 1, 1]))) > 1e-6:
        problems.append("weights of 1 changed the loss")
    return problems


class _Bank:
    """Four constant-level noise stems, as StemBank.crop serves them."""
    songs = [0, 1]
    length = 44100 * 4

    def crop(self, song, stem, start, n):
        rng = np.random.default_rng(song * 10 + stem)
        return (rng.standard_normal((2, n)) * (0.05 + 0.05 * stem)).astype(np.float32)


# Mixer probabilities that leave the bank's stems as they are, so an option's effect is all there is.
PLAIN = dict(limiter=0.0, lossy=0.0, gap=0.0, silent=0.0, eq=0.0, pitch=0.0)


def off_draws_as_before(option: str) -> list[str]:
    """An option at probability 0 draws the same examples as a mixer without it (runs started
    before the option existed resume the same examples)."""
    a, b = Mixer(_Bank(), 44100, 7, PLAIN), Mixer(_Bank(), 44100, 7, {**PLAIN, option: 0.0})
    if not all(np.array_equal(a.example(), b.example()) for _ in range(3)):
        return [f"{option} = 0 changed the examples"]
    return []


def check_quiet() -> list[str]:
    problems = []
    for seed in range(5):
        mixer = Mixer(_Bank(), 44100, seed, {**PLAIN, "quiet": 1.0})
        stems = np.stack([mixer._crop(0, s, 0, 1.0) for s in range(4)])
        mixer._quiet(stems)
        # every stem is turned down in turn; the last one is measured against the final rest
        rest = stems[:3].sum(0)
        level = 10 * np.log10(np.mean(stems[3] ** 2) / np.mean(rest ** 2))
        print(f"quiet, seed {seed}: last stem {level:.1f} dB below the rest")
        if not -26.01 <= level <= -11.99:
            problems.append(f"quiet stem at {level:.1f} dB, outside -26..-12")
    return problems + off_draws_as_before("quiet")


def check_narrow() -> list[str]:
    problems = []
    rng = np.random.default_rng(3)
    stems = (rng.standard_normal((4, 2, 1000)) * np.array([0.1, 0.2, 0.3, 0.4])[:, None, None]).astype(np.float64)
    for width in (0.0, 0.3, 1.0):
        x = stems.copy()
        narrow(x, width)
        mix, narrowed_mix = stems.sum(0), x.sum(0)
        side = (narrowed_mix[0] - narrowed_mix[1]) / 2
        errors = dict(mid=np.abs((x[:, 0] + x[:, 1]) - (stems[:, 0] + stems[:, 1])).max(),
                      side=np.abs(side - width * (mix[0] - mix[1]) / 2).max(),
                      per_stem_side=np.abs((x[:, 0] - x[:, 1]) - width * (stems[:, 0] - stems[:, 1])).max())
        print(f"narrow, width {width}: " + ", ".join(f"{k} error {v:.1e}" for k, v in errors.items()))
        problems += [f"narrow width {width}: {k} error {v:.1e}" for k, v in errors.items() if v > 1e-12]
    mixer = Mixer(_Bank(), 4410, 5, {**PLAIN, "narrow": 1.0})
    mono = sum(bool(np.allclose(e[:, 0], e[:, 1], atol=1e-7)) for e in (mixer.example() for _ in range(200)))
    print(f"narrow = 1: {mono} of 200 examples mono")
    if not 70 <= mono <= 130:
        problems.append(f"narrow = 1: {mono} of 200 examples mono, expected about half")
    return problems + off_draws_as_before("narrow")


def main() -> None:
    problems = check_distill() + check_quiet() + check_narrow() + check_stem_weights()
    for p in problems:
        print("FAIL:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
