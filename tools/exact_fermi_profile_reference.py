#!/usr/bin/env python3
"""An independent numpy implementation of the `exact` fermion scheme (SPEC section 2) for an
inhomogeneous gas (profile = "gaussian", velocities = "bath"), written from the SPEC, not
from the engine. It reads the lattice, the discretised bath (/bath/rho_b), the config and the
observation times of a vswap run file, runs its own realizations and prints, at each time,
the chi^2/dof of its density histogram against the run's and against the run's Burgers
prediction, and the spread of each profile about the circular centre of the prediction.

  /usr/bin/python3 tools/exact_fermi_profile_reference.py RUN.h5 REALIZATIONS SEED

The rule, as the SPEC states it: positions i.i.d. from the wrapped Gaussian; each particle's
class drawn from the discrete bath and redrawn while its comoving cell floor(x / ell) of that
class is taken (drawn at once from the bath restricted to the free classes of its cell); geometric gaps between attempts (probability 1 - exp(-gamma rho_bath dt) a
step); an attempt at step s aims at the comoving cell floor((x - lambda' t_{s+1}) / ell) mod M
of a class lambda' drawn from the bath; it fails on a cell taken at the start of the step, and
of several attempts on one free cell the lowest particle index wins. (The engine instead
settles a step's attempts one after another in increasing index, each against the table as
the earlier ones left it, so that (40) is stationary at any dt: docs/VALIDATION.md section 8.
The two rules agree as gamma rho_bath dt -> 0.)
"""
import sys
import tomllib

import h5py
import numpy as np

run, Rtot, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
h = h5py.File(run, "r")
c = h.attrs["config"]
cfg = tomllib.loads(c.decode() if isinstance(c, bytes) else c)
sysc, num = cfg["system"], cfg["numerics"]
if (sysc["statistics"], sysc["profile"], sysc["velocities"], cfg["collisions"]["scheme"]) != (
        "fermi", "gaussian", "bath", "exact"):
    sys.exit("needs a fermi, gaussian, bath-start, exact-scheme run")
L, M, N, width = sysc["length"], num["cells"], sysc["particles"], sysc["width"]
ell, dt = L / M, num["dt"]
rate = cfg["collisions"]["gamma"] * cfg["bath"]["density"]
lam_b = h["bath/lambda"][()]
P = h["bath/rho_b"][()].astype(float)
P /= P.sum()
cP = np.cumsum(P)
K = len(lam_b)
edges = h["density/edges"][()]
B = len(edges) - 1
times = h["times"][()]
steps = np.round(times / dt).astype(int)
p_att = 1 - np.exp(-rate * dt)
rng = np.random.default_rng(seed)


def draw_class(n):
    return np.minimum(np.searchsorted(cP, rng.uniform(0, 1, n)), K - 1)


Rb = min(1000, Rtot)
S1 = np.zeros((len(times), B))
S2 = np.zeros((len(times), B))
done = 0
while done < Rtot:
    R = min(Rb, Rtot - done)
    x = np.mod(rng.normal(L / 2, width, (R, N)), L)
    cell = np.minimum((x / ell).astype(int), M - 1)
    cls = np.full((R, N), -1)
    occ = np.zeros((R, K, M), bool)
    rows = np.arange(R)
    for i in range(N):
        # redrawing until free = drawing from the bath restricted to the free classes
        w = P[None, :] * ~occ[rows, :, cell[:, i]]
        cw = np.cumsum(w, axis=1)
        k = (cw < rng.uniform(0, 1, R)[:, None] * cw[:, -1:]).sum(axis=1)
        occ[rows, k, cell[:, i]] = True
        cls[:, i] = k
    y = x.copy()  # comoving coordinate: x = y + lambda t
    nxt = rng.geometric(p_att, (R, N)) - 1
    s = 0
    for o, S in enumerate(steps):
        while s < S:
            r_i, i_i = np.nonzero(nxt == s)
            if len(r_i):
                kp = draw_class(len(r_i))
                t1 = (s + 1) * dt
                yn = np.mod(y[r_i, i_i] + (lam_b[cls[r_i, i_i]] - lam_b[kp]) * t1, L)
                cn = np.minimum((yn / ell).astype(int), M - 1)
                ok = np.nonzero(~occ[r_i, kp, cn])[0]
                key = (r_i[ok] * K + kp[ok]) * M + cn[ok]
                _, first = np.unique(key, return_index=True)  # nonzero order: r, then i
                w = ok[first]
                rw, iw = r_i[w], i_i[w]
                occ[rw, cls[rw, iw], cell[rw, iw]] = False
                occ[rw, kp[w], cn[w]] = True
                cls[rw, iw], cell[rw, iw], y[rw, iw] = kp[w], cn[w], yn[w]
                nxt[r_i, i_i] = s + rng.geometric(p_att, len(r_i))
            s += 1
        xs = np.mod(y + lam_b[cls] * S * dt, L)
        counts = np.stack([np.histogram(xs[r], edges)[0] for r in range(R)])
        S1[o] += counts.sum(0)
        S2[o] += (counts.astype(float) ** 2).sum(0)
    done += R
    print(f"{done} realizations", file=sys.stderr)

width_b = np.diff(edges)
mean = S1 / Rtot / width_b
std = np.sqrt(np.maximum(S2 / Rtot - (S1 / Rtot) ** 2, 0) * Rtot / (Rtot - 1)) / width_b
err = std / np.sqrt(Rtot)
vm, vs, th = h["density/mean"][()], h["density/stderr"][()], h["theory/density"][()]
xc = h["density/x"][()]


def spread(p, ctr):
    d = np.mod(xc - ctr + L / 2, L) - L / 2
    m = (p * d).sum() / p.sum()
    return (p * d * d).sum() / p.sum() - m * m


for o, t in enumerate(times):
    a = err[o] > 0
    b = a & (vs[o] > 0)
    chi_run = np.mean((mean[o][b] - vm[o][b]) ** 2 / (err[o][b] ** 2 + vs[o][b] ** 2))
    chi_th = np.mean((mean[o][a] - th[o][a]) ** 2 / err[o][a] ** 2)
    ph = np.angle((th[o] * np.exp(2j * np.pi * xc / L)).sum())
    ctr = np.mod(ph * L / (2 * np.pi), L)
    print(f"t={t:7.4g}  chi2/dof indep-vs-run {chi_run:5.2f} ({b.sum()})  indep-vs-Burgers "
          f"{chi_th:5.2f}  spread - Burgers's: indep {spread(mean[o], ctr) - spread(th[o], ctr):+8.2f}"
          f"  run {spread(vm[o], ctr) - spread(th[o], ctr):+8.2f}")
