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
against Burgers before and after adding the effect.

Usage: /usr/bin/python3 tools/shock_fluctuations.py RUN.h5 [--samples 200] [--cells 1000]
       [--seed 7]
(a `vswap run` output of a Gaussian profile; minutes for 200 samples on 2 cores)
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    f = h5py.File(args.run, "r")
    raw = f["/"].attrs["config"]
    cfg = tomllib.loads(raw.decode() if isinstance(raw, bytes) else raw)
    system = cfg["system"]
    if system.get("profile", "gaussian") != "gaussian":
        sys.exit("shock_fluctuations: needs a Gaussian initial profile")
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
        z0 = diff / se[i]
        z1 = (diff - effect) / np.hypot(se[i], effect_se)
        print(f"\nt = {t:g}: chi2/dof against Burgers {np.mean(z0**2):.3f}; against Burgers + front wander "
              f"{np.mean(z1**2):.3f}")
        print("| x | run - Burgers | its standard error | front-wander effect | its standard error |")
        print("| --- | --- | --- | --- | --- |")
        for j in sorted(np.argsort(-np.abs(z0))[:8]):
            print(f"| {(j + 0.5) * length / bins:.0f} | {diff[j]:+.4f} | {se[i][j]:.4f} | {effect[j]:+.4f} | "
                  f"{effect_se[j]:.4f} |")


if __name__ == "__main__":
    main()
