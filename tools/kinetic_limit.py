#!/usr/bin/python3
"""Where the `exact` fermion Monte Carlo leaves the kinetic theory (39): a sweep in the mean
free path (docs/VALIDATION.md section 9).

A Gaussian fermion profile (thermal bath T, boost 0.7, rho_bath 30; 200 particles on L = 600,
width 100, 100 cells: peak density ~0.8),
started in its local stationary state (40) (`velocities = "stationary"`), spreads under the
`exact` scheme; for each collision rate gamma, R realizations run as S shards (`vswap run
--shard`), and for each shard the growth of the profile's spread about the prediction's
circular centre between the last two observation times is compared with the Burgers
prediction's (the renewal lag of the first few 1 / (gamma rho_bath), a constant offset of
the spread, cancels). Printed per gamma: the kinetic parameter

    xi = T / (2 pi gamma rho_bath)   (the mean free path sqrt(T) / (gamma rho_bath) over the
                                       wavelength 2 pi / sqrt(T) of a lattice cell)

the excess growth (MC / Burgers - 1, mean and standard error over the shards) and the
density's chi^2/dof against Burgers at the last time, on all R realizations.

  /usr/bin/python3 tools/kinetic_limit.py BUILD/vswap [--realizations R] [--shards S]
      [--gamma 0.1,0.05,0.025] [--temperature T] [--particles N]
      [--statistics fermi|classical] [--threads N] [--set KEY=VALUE ...]
  /usr/bin/python3 tools/kinetic_limit.py BUILD/vswap --config CFG.toml [--set KEY=VALUE ...]
      (the same measurement on any run, between its last two observation times)
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

CONFIG = """
[bath]
kind = "thermal"
density = 30.0
temperature = {T}
boost = 0.7
[system]
statistics = "{stat}"
particles = {N}
length = 600.0
profile = "gaussian"
width = 100.0
velocities = "stationary"
[collisions]
gamma = {gamma}
scheme = "exact"
[numerics]
cells = 100
dt = {dt}
realizations = {R}
seed = 8
times = [0.0, {t1}, {t2}]
bins = 60
backend = "cpu"
[theory]
rho_min = 0.0
rho_max = 4.0
points = 200
"""


def spread_and_theory(f):
    x = f["density/x"][()]
    L = f["sums"].attrs["length"]
    m, th = f["density/mean"][()], f["theory/density"][()]
    out = []
    for o in range(len(f["times"])):
        ctr = np.angle((th[o] * np.exp(2j * np.pi * x / L)).sum()) * L / (2 * np.pi)
        d = np.mod(x - ctr + L / 2, L) - L / 2

        def var(p):
            mu = (p * d).sum() / p.sum()
            return (p * d * d).sum() / p.sum() - mu * mu
        out.append((var(m[o]), var(th[o])))
    return out


def measure(vswap, cfg, sets, shards, threads, tmp):
    """Excess spread growth between the last two times (mean, standard error over the shards,
    in %) and the merged run's chi^2/dof against Burgers at the last time."""
    ex, files = [], []
    for s in range(shards):
        out = os.path.join(tmp, f"s{s}.h5")
        cmd = [vswap, "run", cfg, "-q", "-o", out, "--shard", f"{s + 1}/{shards}"]
        for kv in sets:
            cmd += ["--set", kv]
        if threads:
            cmd += ["--threads", str(threads)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out) as f:
            (m1, t1v), (m2, t2v) = spread_and_theory(f)[-2:]
        ex.append((m2 - m1) / (t2v - t1v) - 1)
        files.append(out)
    merged = os.path.join(tmp, "all.h5")
    subprocess.run([vswap, "merge", merged] + files, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(merged) as f:
        chi2 = f["comparison/chi2_dof"][-1]
    ex = 100 * np.array(ex)
    return ex.mean(), ex.std(ddof=1) / math.sqrt(len(ex)), chi2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vswap")
    ap.add_argument("--realizations", type=int, default=8000)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--gamma", default="0.1,0.05,0.025")
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--particles", type=int, default=200)
    ap.add_argument("--statistics", choices=("fermi", "classical"), default="fermi",
                    help="classical: the control (no Pauli blocking: (38) is exact)")
    ap.add_argument("--config", help="measure this config instead of the thermal sweep "
                    "(between its last two times; --set values apply, --realizations too)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.config:
            sets = a.set + [f"numerics.realizations={a.realizations}"]
            m, e, chi2 = measure(a.vswap, a.config, sets, a.shards, a.threads, tmp)
            print(f"{a.config} {' '.join(a.set)}: excess growth {m:+.2f} +- {e:.2f} %, "
                  f"chi2/dof(last time) {chi2:.2f}, {a.shards} x {a.realizations // a.shards}")
            return 0
        T, rho_bath = a.temperature, 30.0
        print(f"{'gamma':>7} {'xi':>6} {'t1':>6} {'t2':>6} {'excess growth':>18} "
              f"{'chi2/dof(t2)':>13} {'shards x R':>11}")
        for gamma in (float(g) for g in a.gamma.split(",")):
            rate = gamma * rho_bath
            # the spread grows by ~2 D t, D ~ T / rate: the same growth at every gamma from
            # t1 to t2, and t1 long after the renewal lag has built up (a few 1 / rate)
            t1 = max(1000.0 * gamma, 15.0 / rate)
            t2 = t1 + 1000.0 * gamma
            dt = min(0.01, 0.03 / rate)
            cfg = os.path.join(tmp, "c.toml")
            with open(cfg, "w") as fh:
                fh.write(CONFIG.format(T=T, N=a.particles, stat=a.statistics, gamma=gamma, dt=dt,
                                       R=a.realizations, t1=t1, t2=t2))
            m, e, chi2 = measure(a.vswap, cfg, a.set, a.shards, a.threads, tmp)
            xi = T / (2 * math.pi * rate)
            print(f"{gamma:7.4g} {xi:6.3f} {t1:6.4g} {t2:6.4g} {m:+8.2f} +- {e:4.2f} % "
                  f"{chi2:13.2f} {a.shards:>4} x {a.realizations // a.shards}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
