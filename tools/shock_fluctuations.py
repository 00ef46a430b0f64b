#!/usr/bin/env python3
"""How much of a run's departure from the Burgers equation is the finite-N wander of its fronts.

Burgers' equation (2) evolves the *mean* initial profile. Each realization starts from N
independent positions, i.e. a noisy profile, and (2) is nonlinear: the average of the
evolved noisy profiles is not the evolved average. Near a steep front the difference is the
front's random displacement (mass fluctuations that entered it), which smooths the
realization-averaged profile at the foot. This tool estimates that effect with a separate,
simple finite-volume Burgers solver (MUSCL-Rusanov fluxes, central diffusion, Heun steps;
u and D from the run file's /theory/coefficients): it solves (2) once from the exact
Gaussian cell averages and R times from profiles of N positions drawn as the engine draws
them (i.i.d. from the wrapped Gaussian: `velocities = "bath"` or `"thermal"`), and takes the
difference of the two on the run's bins. The solver's own discretisation error cancels in
that difference to first order; noise from the collisions themselves is not included, so
this is a lower bound of the wander. It prints, per observation time after 0, the bins where
the run departs most from Burgers beside the estimated effect, and the run's chi^2/dof
against Burgers before and after adding the effect (the effect there still carries the
sampling noise of the noisy starts); then the moments, about the circular mean: the
variance's growth since t = 0 and the third cumulant's change, each minus the smooth start's
(a linear equation would leave both the same for every start, so the noisy starts' own
spread of initial moments cancels), beside the run's against Burgers.

Usage: /usr/bin/python3 tools/shock_fluctuations.py RUN.h5 [--samples 200] [--cells 1000]
       [--seed 7]
(a `vswap run` output of a Gaussian profile; minutes for 200 samples on 2 cores)
       /usr/bin/python3 tools/shock_fluctuations.py --moments RUN.h5 [RUN.h5 ...]
(only the runs' variance and skewness against Burgers', about the circular mean; any start;
over several runs also their mean and the standard error of their scatter)
"""
import argparse
import math
import sys
import tomllib

import h5py
import numpy as np


def minmod(a, b):
    return np.where(a * b > 0, np.sign(a) * np.minimum(abs(a), abs(b)), 0.0)


class Burgers:
    """d_t rho + d_x J(rho) = d_x (D(rho) d_x rho) on the ring, rows = independent profiles."""

    def __init__(self, coefficients, length, cells, rho_top):
        rho, u, d = coefficients[:, 0], coefficients[:, 1], coefficients[:, 3]
        self.rho, self.u, self.d = rho, u, d
        self.flux_table = np.concatenate([[0.0], np.cumsum(0.5 * (u[1:] + u[:-1]) * np.diff(rho))])
        self.dx = length / cells
        seen = rho <= rho_top
        self.dt = min(0.4 * self.dx / np.abs(u[seen]).max(), 0.2 * self.dx**2 / d[seen].max())

    def rhs(self, r):
        right_cell = np.roll(r, -1, -1)
        slope = minmod(r - np.roll(r, 1, -1), right_cell - r)
        left = r + 0.5 * slope  # face i+1/2 seen from cell i
        right = np.roll(r - 0.5 * slope, -1, -1)  # ... and from cell i+1
        speed = np.maximum(abs(np.interp(left, self.rho, self.u)), abs(np.interp(right, self.rho, self.u)))
        flux = 0.5 * (np.interp(left, self.rho, self.flux_table) + np.interp(right, self.rho, self.flux_table))
        flux -= 0.5 * speed * (right - left)
        flux -= np.interp(0.5 * (r + right_cell), self.rho, self.d) * (right_cell - r) / self.dx
        return -(flux - np.roll(flux, 1, -1)) / self.dx

    def solve(self, r, times):
        t, out = 0.0, []
        for target in times:
            while t < target - 1e-12:
                h = min(self.dt, target - t)
                r1 = r + h * self.rhs(r)
                r = 0.5 * (r + r1 + h * self.rhs(r1))
                t += h
            out.append(r.copy())
        return out


def moments(profile, length):
    """Mean, variance and skewness of a density on the ring's bins, about its circular mean
    (the ring cut opposite it)."""
    bins = profile.shape[-1]
    x = (np.arange(bins) + 0.5) * length / bins
    angle = np.angle(np.sum(profile * np.exp(2j * np.pi * x / length)))
    centre = (angle / (2 * np.pi) * length) % length
    d = (x - centre + length / 2) % length - length / 2
    w = profile / profile.sum()
    mean = np.sum(w * d)
    var = np.sum(w * (d - mean) ** 2)
    return centre + mean, var, np.sum(w * (d - mean) ** 3) / var**1.5


def compare_moments(runs):
    """--moments: each run's variance and skewness minus Burgers' (its /theory/density) per
    time, and over several runs their mean with the standard error of their scatter."""
    dv, ds, times = [], [], None
    for run in runs:
        f = h5py.File(run, "r")
        raw = f["/"].attrs["config"]
        length = float(tomllib.loads(raw.decode() if isinstance(raw, bytes) else raw)["system"]["length"])
        t = [float(x) for x in f["times"][:]]
        if times is not None and t != times:
            sys.exit(f"shock_fluctuations: {run} has other times than {runs[0]}")
        times = t
        mc, th = f["density/mean"][:], f["theory/density"][:]
        m = [(moments(mc[i], length), moments(th[i], length)) for i in range(len(t))]
        dv.append([a[1] - b[1] for a, b in m])
        ds.append([a[2] - b[2] for a, b in m])
        print(f"{run}: variance run - Burgers " + " / ".join(f"{x:+.2f}" for x in dv[-1]) +
              "; skewness " + " / ".join(f"{x:+.4f}" for x in ds[-1]))
    print("t = " + " / ".join(f"{x:g}" for x in times))
    if len(runs) > 1:
        dv, ds = np.array(dv), np.array(ds)
        se = lambda a: a.std(0, ddof=1) / math.sqrt(len(runs))  # noqa: E731
        print(f"mean of {len(runs)} runs: variance " + " / ".join(f"{a:+.2f} +- {b:.2f}" for a, b in zip(dv.mean(0), se(dv))))
        print(f"mean of {len(runs)} runs: skewness " + " / ".join(f"{a:+.4f} +- {b:.4f}" for a, b in zip(ds.mean(0), se(ds))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", nargs="+")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--moments", action="store_true",
                    help="only compare the runs' variance and skewness with Burgers' (any start, several runs)")
    args = ap.parse_args()
    if args.moments:
        compare_moments(args.run)
        return
    if len(args.run) != 1:
        sys.exit("shock_fluctuations: one run (several only with --moments)")
    args.run = args.run[0]
    f = h5py.File(args.run, "r")
    raw = f["/"].attrs["config"]
    cfg = tomllib.loads(raw.decode() if isinstance(raw, bytes) else raw)
    system = cfg["system"]
    if system.get("profile", "gaussian") != "gaussian":
        sys.exit("shock_fluctuations: needs a Gaussian initial profile")
    if system.get("velocities", "bath") == "stationary":
        sys.exit("shock_fluctuations: models i.i.d. initial positions (velocities = \"bath\" or \"thermal\"); a "
                 "\"stationary\" start draws its cell counts from (40), with other fluctuations")
    length, n, width = float(system["length"]), int(system["particles"]), float(system["width"])
    times = [float(t) for t in f["times"][:]]
    mc, se, th = f["density/mean"][:], f["density/stderr"][:], f["theory/density"][:]
    bins = mc.shape[1]
    cells = max(bins, args.cells // bins * bins)
    per = cells // bins
    edges = np.arange(cells + 1) * (length / cells)

    cdf = np.vectorize(lambda z: 0.5 * math.erfc(-z / math.sqrt(2.0)))
    mass = sum(np.diff(cdf((edges - length / 2 + k * length) / width)) for k in range(-2, 3))
    mean0 = n * mass / mass.sum() / (length / cells)
    rng = np.random.default_rng(args.seed)
    x = np.mod(length / 2 + width * rng.standard_normal((args.samples, n)), length)
    noisy0 = np.stack([np.histogram(row, bins=edges)[0] / (length / cells) for row in x])

    solver = Burgers(f["theory/coefficients"][:], length, cells, 1.3 * noisy0.max())
    later = [t for t in times if t > 0]
    det = solver.solve(mean0[None, :], later)
    ens = solver.solve(noisy0, later)
    print(f"{args.run}: N = {n}, L = {length:g}, width = {width:g}; {args.samples} noisy initial profiles, "
          f"{cells} solver cells")
    for k, t in enumerate(later):
        i = times.index(t)
        effect = (ens[k].mean(0) - det[k][0]).reshape(bins, per).mean(1)
        effect_se = (ens[k].std(0, ddof=1) / math.sqrt(args.samples)).reshape(bins, per).mean(1)
        diff = mc[i] - th[i]
        used = np.isfinite(se[i]) & (se[i] > 0)  # the bins of /comparison/chi2_dof
        z0 = np.where(used, diff / np.where(used, se[i], 1.0), 0.0)
        z1 = np.where(used, (diff - effect) / np.hypot(np.where(used, se[i], 1.0), effect_se), 0.0)
        print(f"\nt = {t:g}: chi2/dof against Burgers {np.sum(z0**2) / used.sum():.3f}; against Burgers + front "
              f"wander {np.sum(z1**2) / used.sum():.3f} ({used.sum()} bins)")
        # the variance's growth since t = 0: a linear equation adds the same to every start,
        # so the noisy starts' own spread of initial variances drops out of the difference
        i0 = times.index(0.0) if 0.0 in times else None
        _, v_th, s_th = moments(th[i], length)
        _, v_mc, s_mc = moments(mc[i], length)
        _, v_det, s_det = moments(det[k][0], length)
        _, v_ens, s_ens = moments(ens[k].mean(0), length)
        now = np.array([moments(row, length)[1:] for row in ens[k]])
        start = np.array([moments(row, length)[1:] for row in noisy0])
        grow = now[:, 0] - start[:, 0]
        # the third cumulant's change: zero under a linear equation, whatever the start
        k3 = now[:, 1] * now[:, 0] ** 1.5 - start[:, 1] * start[:, 0] ** 1.5
        line = (f"variance: run - Burgers {v_mc - v_th:+.2f}; skewness: run - Burgers {s_mc - s_th:+.4f}, front "
                f"wander (mean of the noisy starts' evolutions - the smooth start's) {s_ens - s_det:+.4f}")
        if i0 is not None:
            g_mc = (v_mc - moments(mc[i0], length)[1]) - (v_th - moments(th[i0], length)[1])
            g_det = v_det - moments(mean0, length)[1]
            g_ens = v_ens - moments(noisy0.mean(0), length)[1] - g_det
            line += (f"; variance growth since t = 0, minus Burgers': run {g_mc:+.2f}, mean of the noisy starts "
                     f"{g_ens:+.2f} (each start about its own centre {grow.mean() - g_det:+.2f} +- "
                     f"{grow.std(ddof=1) / math.sqrt(args.samples):.2f})")
            k3_det = s_det * v_det**1.5 - moments(mean0, length)[2] * moments(mean0, length)[1] ** 1.5
            line += (f"; skewness from the third cumulant's change, noisy starts - smooth start "
                     f"{(k3.mean() - k3_det) / v_det**1.5:+.4f} +- {k3.std(ddof=1) / math.sqrt(args.samples) / v_det**1.5:.4f}")
        print(line)
        print("| x | run - Burgers | its standard error | front-wander effect | its standard error |")
        print("| --- | --- | --- | --- | --- |")
        for j in sorted(np.argsort(-np.abs(z0))[:8]):
            print(f"| {(j + 0.5) * length / bins:.0f} | {diff[j]:+.4f} | {se[i][j]:.4f} | {effect[j]:+.4f} | "
                  f"{effect_se[j]:.4f} |")


if __name__ == "__main__":
    main()
