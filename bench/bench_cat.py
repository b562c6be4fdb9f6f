"""Benchmarks of assay.cat against catsim 0.21 and girth 0.8, side by side in one run.

    python bench/bench_cat.py [--quick] [--simulees 200] [--peer-python /work/peer-venv/bin/python]

Sections:

1. One CAT step (record the k-th answer, i.e. re-estimate theta, then select the next item) on
   1k / 10k / 100k-item 3PL banks after k = 5, 20, 50 answered items. Assay "warm" is the live
   path (state object in memory); "cold" adds ``CatState.from_dict`` (state reloaded from JSON).
   catsim: ``NumericalSearchEstimator().estimate`` + ``MaxInfoSelector().select`` on the same
   bank, the same administered items and the same responses.
2. Theta agreement: assay's MLE vs catsim's MLE on identical mixed patterns.
3. Simulated CAT, 10,000-item 3PL bank, stop at SE < 0.3: RMSE, MSE, mean length, both tools,
   same bank and simulees.
4. 2PL calibration (40 items x 2,000 persons): assay's Bock-Aitkin EM vs girth ``twopl_mml``.
5. MATH-CAT on its own pool (``--math-cat`` runs this section only): 24 simulated students per
   theta in {-2, -1, 0, 1, 2}, each taking the assessment through the sessions' CAT path
   (:mod:`assay.sessions.cat_simulation`: the blueprint's bank, content balancing, selection and
   stopping rules) and answering with the probability of the served item's own parameters.
   Target: >= 90 % reach SE <= 0.3 within the maximum length, |bias| <= 0.3. Prints the ``a``
   used and its source, and the pool's test information curve.

The peers are never imported by assay: they run in their own interpreter (``--peer-python``,
default ``/work/peer-venv/bin/python`` when it exists, else this one) through this same file's
``--worker`` mode, and exchange arrays through .npz files. Peer install:
``pip install catsim==0.21.0 girth==0.8.0`` (catsim pulls matplotlib and scikit-learn).
Timings are medians of repeated runs; BLAS is limited to one thread in every process
(``OPENBLAS_NUM_THREADS=1``) so the comparison is not skewed by thread oversubscription.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
ANSWERED = (5, 20, 50)
DEFAULT_PEER = Path("/work/peer-venv/bin/python")


def median_time(fn: Callable[[], object], *, min_total_s: float = 0.25, min_runs: int = 5) -> float:
    """Median wall time of ``fn`` in seconds over enough runs to fill ``min_total_s``."""
    fn()  # warm-up
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_total_s:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 2000:
            break
    return float(np.median(times))


def make_bank(n: int, seed: int) -> dict[str, np.ndarray]:
    """3PL parameters drawn as catsim's ``ItemBank.generate_item_bank(n, "3PL")`` draws them:
    (b, a) ~ N((0, 1.2), diag(1, 0.25^2)), c ~ N(0.25, 0.02) clipped at 0 (Barrada et al. 2010)."""
    rng = np.random.default_rng(seed)
    b, a = rng.multivariate_normal([0.0, 1.2], [[1.0, 0.0], [0.0, 0.0625]], n).T
    a = np.abs(a)
    c = rng.normal(0.25, 0.02, n).clip(min=0.0)
    return {"a": a, "b": b, "c": c}


# --------------------------------------------------------------------------------------------
# Peer side (runs in the peer interpreter; imports only numpy and the peer packages).
# --------------------------------------------------------------------------------------------


def _catsim_bank(data: Any) -> Any:
    from catsim import ItemBank

    n = len(data["a"])
    matrix = np.array([data["a"], data["b"], data["c"], np.ones(n), np.zeros(n)]).T
    return ItemBank(matrix)


def worker_catsim_steps(task: dict[str, Any]) -> dict[str, Any]:
    from catsim.estimation import NumericalSearchEstimator
    from catsim.selection import MaxInfoSelector

    out: dict[str, Any] = {}
    for n in task["sizes"]:
        data = np.load(Path(task["dir"]) / f"bank_{n}.npz")
        bank = _catsim_bank(data)
        items, resp = data["items"].tolist(), data["responses"].astype(bool).tolist()
        for k in task["answered"]:
            adm, rv = items[:k], resp[:k]
            state: dict[str, Any] = {
                "theta": float(data["theta_before"][k - 1]),
                "bank": bank,
                "estimator": NumericalSearchEstimator(),
                "selector": MaxInfoSelector(),
            }

            def estimate(adm: list[int] = adm, rv: list[bool] = rv, st: Any = state) -> None:
                st["est"] = st["estimator"].estimate(
                    item_bank=st["bank"],
                    administered_items=adm,
                    response_vector=rv,
                    est_theta=st["theta"],
                )

            def select(adm: list[int] = adm, st: Any = state) -> None:
                st["selector"].select(
                    item_bank=st["bank"], administered_items=adm, est_theta=st["est"]
                )

            estimate()

            t_est, t_sel = median_time(estimate), median_time(select)
            out[f"{n}/{k}"] = {"estimate_s": t_est, "select_s": t_sel, "step_s": t_est + t_sel}
    return out


def worker_catsim_mle(task: dict[str, Any]) -> dict[str, Any]:
    from catsim.estimation import NumericalSearchEstimator

    data = np.load(Path(task["dir"]) / "patterns.npz")
    bank = _catsim_bank(data)
    estimator = NumericalSearchEstimator()
    thetas = []
    for row, k in zip(data["responses"], data["lengths"], strict=True):
        k = int(k)
        thetas.append(
            float(
                estimator.estimate(
                    item_bank=bank,
                    administered_items=list(range(k)),
                    response_vector=row[:k].astype(bool).tolist(),
                    est_theta=0.0,
                )
            )
        )
    return {"theta": thetas}


def worker_catsim_simulation(task: dict[str, Any]) -> dict[str, Any]:
    from catsim.estimation import NumericalSearchEstimator
    from catsim.initialization import RandomInitializer
    from catsim.selection import MaxInfoSelector
    from catsim.simulation import Simulator
    from catsim.stopping import MinErrorStopper

    data = np.load(Path(task["dir"]) / "simulation.npz")
    sim = Simulator(_catsim_bank(data), data["true_theta"], seed=task["seed"])
    t0 = time.perf_counter()
    sim.simulate(
        RandomInitializer(), MaxInfoSelector(), NumericalSearchEstimator(), MinErrorStopper(0.3)
    )
    elapsed = time.perf_counter() - t0
    est = np.asarray(sim.latest_estimations, dtype=float)
    true = data["true_theta"]
    return {
        "rmse": float(np.sqrt(np.mean((est - true) ** 2))),
        "mse_attr": float(sim.mse),
        "bias": float(np.mean(est - true)),
        "mean_length": float(np.mean([len(x) for x in sim.administered_items])),
        "time_s": elapsed,
    }


def recovery(a_hat: np.ndarray, b_hat: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[float]:
    """[corr a, corr b, rmse a, rmse b] of estimates against true parameters."""
    return [
        float(np.corrcoef(a_hat, a)[0, 1]),
        float(np.corrcoef(b_hat, b)[0, 1]),
        float(np.sqrt(np.mean((a_hat - a) ** 2))),
        float(np.sqrt(np.mean((b_hat - b) ** 2))),
    ]


def worker_girth(task: dict[str, Any]) -> dict[str, Any]:
    from girth import twopl_mml

    times, scores = [], []
    for i in range(task["datasets"]):
        data = np.load(Path(task["dir"]) / f"calibration_{i}.npz")
        x = data["responses"].T.astype(int)  # girth wants items x persons
        t0 = time.perf_counter()
        result = twopl_mml(x)
        times.append(time.perf_counter() - t0)
        a_hat, b_hat = np.asarray(result["Discrimination"]), np.asarray(result["Difficulty"])
        scores.append(recovery(a_hat, b_hat, data["a"], data["b"]))
    return {"time_s": float(np.median(times)), "scores": np.mean(scores, axis=0).tolist()}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "catsim_steps": worker_catsim_steps,
    "catsim_mle": worker_catsim_mle,
    "catsim_simulation": worker_catsim_simulation,
    "girth": worker_girth,
}


def run_peer(python: str, name: str, task: dict[str, Any]) -> dict[str, Any] | None:
    """Run a worker in the peer interpreter; None (with a note) when the peer is missing."""
    proc = subprocess.run(
        [python, __file__, "--worker", name, json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  [peer {name} unavailable: {last}]")
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------------------------
# Assay side.
# --------------------------------------------------------------------------------------------


def bench_steps(tmp: Path, peer: str, sizes: tuple[int, ...]) -> None:
    from datetime import UTC, datetime

    from assay.cat import (
        CatConfig,
        CatState,
        ItemBank,
        next_item,
        probability,
        record_response,
        start,
    )

    now = datetime(2024, 1, 1, tzinfo=UTC)
    ours: dict[str, dict[str, float]] = {}
    for n in sizes:
        params = make_bank(n, seed=n)
        bank = ItemBank(item_ids=[f"i{i}" for i in range(n)], **params)
        rng = np.random.default_rng(7)
        state = start(CatConfig(max_items=100), now=now)
        states, items, responses, theta_before = [state], [], [], []
        for _ in range(max(ANSWERED)):
            theta_before.append(state.theta)
            state, decision = next_item(state, bank=bank, rng=rng, now=now)
            item = decision.item  # type: ignore[union-attr]
            correct = bool(rng.random() < probability(0.7, item.a, item.b, item.c))
            items.append(bank.index(item.item_id))
            responses.append(correct)
            state = record_response(state, item=item, correct=correct, now=now)
            states.append(state)
        np.savez(
            tmp / f"bank_{n}.npz",
            **params,
            items=np.array(items),
            responses=np.array(responses),
            theta_before=np.array(theta_before),
        )
        for k in ANSWERED:
            prev, item, ok = states[k - 1], bank.item(items[k - 1]), responses[k - 1]
            saved = prev.to_dict()

            ctx: dict[str, Any] = {"bank": bank, "rng": rng, "item": item, "ok": ok}

            def warm(prev: CatState = prev, ctx: dict[str, Any] = ctx) -> None:
                s = record_response(prev, item=ctx["item"], correct=ctx["ok"], now=now)
                next_item(s, bank=ctx["bank"], rng=ctx["rng"], now=now)

            def cold(saved: dict[str, Any] = saved, ctx: dict[str, Any] = ctx) -> None:
                s = record_response(
                    CatState.from_dict(saved), item=ctx["item"], correct=ctx["ok"], now=now
                )
                next_item(s, bank=ctx["bank"], rng=ctx["rng"], now=now)

            ours[f"{n}/{k}"] = {"warm_s": median_time(warm), "cold_s": median_time(cold)}
    peer_res = run_peer(
        peer, "catsim_steps", {"dir": str(tmp), "sizes": list(sizes), "answered": list(ANSWERED)}
    )
    print("\n1. One CAT step (estimate theta + select next item), median, microseconds")
    print(
        f"{'bank':>8} {'k':>3} {'assay warm':>11} {'assay cold':>11} {'catsim est':>11} "
        f"{'catsim sel':>11} {'catsim step':>12} {'x warm':>8} {'x cold':>8}"
    )
    for key, mine in ours.items():
        n, k = key.split("/")
        row = f"{n:>8} {k:>3} {mine['warm_s'] * 1e6:>11.1f} {mine['cold_s'] * 1e6:>11.1f}"
        if peer_res is not None:
            p = peer_res[key]
            row += (
                f" {p['estimate_s'] * 1e6:>11.1f} {p['select_s'] * 1e6:>11.1f}"
                f" {p['step_s'] * 1e6:>12.1f} {p['step_s'] / mine['warm_s']:>8.1f}"
                f" {p['step_s'] / mine['cold_s']:>8.1f}"
            )
        print(row)


def bench_agreement(tmp: Path, peer: str) -> None:
    from assay.cat import estimate_theta

    params = make_bank(50, seed=3)
    rng = np.random.default_rng(11)
    rows = []
    while len(rows) < 200:
        k = int(rng.integers(5, 51))
        theta = rng.normal()
        p = params["c"][:k] + (1 - params["c"][:k]) / (
            1 + np.exp(-params["a"][:k] * (theta - params["b"][:k]))
        )
        u = (rng.random(k) < p).astype(float)
        if 0 < u.sum() < k:
            rows.append(u)
    width = max(len(r) for r in rows)
    padded = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        padded[i, : len(r)] = r
    ours = np.array(
        [
            estimate_theta(
                r, params["a"][: len(r)], params["b"][: len(r)], params["c"][: len(r)], "mle"
            ).theta
            for r in rows
        ]
    )
    np.savez(
        tmp / "patterns.npz", **params, responses=padded, lengths=np.array([len(r) for r in rows])
    )
    result = run_peer(peer, "catsim_mle", {"dir": str(tmp)})
    print("\n2. MLE agreement on 200 mixed 3PL patterns (5-50 items)")
    if result is not None:
        d = np.abs(np.array(result["theta"]) - ours)
        print(f"   max |theta_assay - theta_catsim| = {d.max():.2e}, mean = {d.mean():.2e}")


def bench_simulation(tmp: Path, peer: str, n_simulees: int) -> None:
    from assay.cat import CatConfig, ItemBank, simulate

    params = make_bank(10_000, seed=2024)
    true_theta = np.random.default_rng(5).normal(0.0, 1.0, n_simulees)
    bank = ItemBank(item_ids=[f"i{i}" for i in range(10_000)], **params)
    print(
        f"\n3. Simulated CAT: 10,000-item 3PL bank, {n_simulees} simulees ~ N(0,1),"
        " stop at SE < 0.3"
    )
    print(f"{'tool':<24} {'RMSE':>7} {'MSE':>7} {'bias':>7} {'mean len':>9} {'time s':>7}")
    for name, cfg in (
        ("assay EAP", CatConfig(se_target=0.3)),
        ("assay MLE (EAP until mixed)", CatConfig(se_target=0.3, estimator="mle")),
    ):
        t0 = time.perf_counter()
        res = simulate(bank, cfg, true_theta, rng=np.random.default_rng(9))
        elapsed = time.perf_counter() - t0
        print(
            f"{name:<24} {res.rmse:>7.3f} {res.rmse**2:>7.3f} {res.bias:>7.3f} "
            f"{res.mean_length:>9.2f} {elapsed:>7.2f}"
        )
    np.savez(tmp / "simulation.npz", **params, true_theta=true_theta)
    peer_res = run_peer(peer, "catsim_simulation", {"dir": str(tmp), "seed": 9})
    if peer_res is not None:
        print(
            f"{'catsim MLE (Dodd)':<24} {peer_res['rmse']:>7.3f} {peer_res['rmse'] ** 2:>7.3f} "
            f"{peer_res['bias']:>7.3f} {peer_res['mean_length']:>9.2f} {peer_res['time_s']:>7.2f}"
        )
        print(f"   (catsim's own Simulator.mse attribute = {peer_res['mse_attr']:.3f})")


def bench_calibration(tmp: Path, peer: str, datasets: int) -> None:
    from assay.cat import calibrate_2pl

    times, scores, cycles = [], [], []
    for i in range(datasets):
        rng = np.random.default_rng(42 + i)
        a, b = rng.uniform(0.5, 2.5, 40), rng.normal(0.0, 1.0, 40)
        theta = rng.normal(0.0, 1.0, 2000)
        x = (rng.random((2000, 40)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(float)
        np.savez(tmp / f"calibration_{i}.npz", responses=x, a=a, b=b)
        t0 = time.perf_counter()
        fit = calibrate_2pl(x)
        times.append(time.perf_counter() - t0)
        scores.append(recovery(fit.a, fit.b, a, b))
        cycles.append(fit.n_iterations)
    mine = np.mean(scores, axis=0)
    print(
        f"\n4. 2PL calibration, 40 items x 2,000 persons, {datasets} simulated data sets"
        " (a ~ U(0.5, 2.5), b ~ N(0, 1), theta ~ N(0, 1)); median time, mean recovery"
    )
    print(f"{'tool':<22} {'time s':>8} {'corr a':>7} {'corr b':>7} {'rmse a':>7} {'rmse b':>7}")
    print(
        f"{'assay calibrate_2pl':<22} {np.median(times):>8.3f} {mine[0]:>7.4f} {mine[1]:>7.4f} "
        f"{mine[2]:>7.4f} {mine[3]:>7.4f}   (median {np.median(cycles):.0f} EM cycles)"
    )
    peer_res = run_peer(peer, "girth", {"dir": str(tmp), "datasets": datasets})
    if peer_res is not None:
        g = peer_res["scores"]
        print(
            f"{'girth twopl_mml':<22} {peer_res['time_s']:>8.3f} {g[0]:>7.4f} {g[1]:>7.4f} "
            f"{g[2]:>7.4f} {g[3]:>7.4f}"
        )
        print(f"   speed-up: {peer_res['time_s'] / np.median(times):.1f}x")


def bench_math_cat(students: int) -> None:
    from assay.items import load_catalog
    from assay.sessions.ability import DEFAULT_A
    from assay.sessions.cat_simulation import information_curve, simulate_test, summarize

    catalog = load_catalog()
    assessment = catalog.assessment("MATH-CAT")
    print(
        f"\n5. MATH-CAT, {students} simulated students per theta, max {assessment.total_items}"
        " items, SE stop 0.3, free-text items (c = 0)"
    )
    print(
        f"   a = {DEFAULT_A} for every template: IRT-lite default (seed 002 §13.6); no published"
        " calibration of generated computation items supports another value, so a higher a"
        " waits for `assay calibrate` on stored responses"
    )
    print(f"{'theta':>6} {'% SE<=0.3':>10} {'mean len':>9} {'final SE':>9} {'bias':>7} {'RMSE':>7}")
    t0 = time.perf_counter()
    for theta in (-2.0, -1.0, 0.0, 1.0, 2.0):
        tests = [
            simulate_test(
                "MATH-CAT", catalog=catalog, theta=theta, seed=int(10_000 * (theta + 3)) + i
            )
            for i in range(students)
        ]
        r = summarize(tests)
        print(
            f"{theta:>6.1f} {100 * r.reached_se:>9.0f}% {r.mean_length:>9.1f} {r.mean_se:>9.3f}"
            f" {r.bias:>+7.3f} {r.rmse:>7.3f}"
        )
    print(f"   ({time.perf_counter() - t0:.1f} s)")
    print("   Test information of the pool (sum over templates; best single template)")
    print(f"{'theta':>6} {'pool I':>8} {'best':>6}")
    for theta, total, best in information_curve(
        "MATH-CAT", catalog=catalog, thetas=[x / 2 for x in range(-6, 7)]
    ):
        print(f"{theta:>6.1f} {total:>8.2f} {best:>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "TASK_JSON"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="skip the 100k bank, 60 simulees")
    parser.add_argument("--simulees", type=int, default=200)
    parser.add_argument("--math-cat", action="store_true", help="run section 5 only")
    parser.add_argument("--students", type=int, default=24, help="section 5: per theta")
    parser.add_argument(
        "--peer-python", default=str(DEFAULT_PEER) if DEFAULT_PEER.exists() else sys.executable
    )
    args = parser.parse_args()
    if args.worker:
        name, task = args.worker
        print(json.dumps(WORKERS[name](json.loads(task))))
        return
    if args.math_cat:
        bench_math_cat(args.students)
        return
    sizes = SIZES[:2] if args.quick else SIZES
    simulees = 60 if args.quick else args.simulees
    print(f"assay.cat benchmarks; peers run by {args.peer_python}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bench_steps(tmp, args.peer_python, sizes)
        bench_agreement(tmp, args.peer_python)
        bench_simulation(tmp, args.peer_python, simulees)
        bench_calibration(tmp, args.peer_python, datasets=3 if args.quick else 10)
    bench_math_cat(args.students)


if __name__ == "__main__":
    main()
