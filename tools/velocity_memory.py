#!/usr/bin/python3
"""The mechanism behind docs/VALIDATION.md section 9, observed directly: in a homogeneous
stationary gas of `exact`-scheme fermions, a swap back into the comoving cell a particle has
just vacated is blocked only if another particle has filled it since, where (39) blocks it
with the mean occupation n.

An independent numpy implementation of SPEC section 2 (written from the SPEC, not from the
engine), for a homogeneous gas on a thermal bath (temperature T, boost, rho_bath), started in
the lattice's stationary product state (40): every comoving Pauli cell (class k, cell m)
occupied independently with probability n_k, n_k / (1 - n_k) = c P_k at the density rho
(the total count per realization is then random). Attempts with probability
1 - exp(-gamma rho_bath dt) per step, target class from the discrete bath P_k, rejected on a
cell taken at the start of the step, the lowest particle index winning a contested free
cell. Each particle remembers the class and cell it left at its last swap. Printed:

  - attempts aimed at the cell the particle has just vacated (its previous class, the cell
    that overlaps its position): their share of all attempts and their acceptance, against
    (39)'s 1 - n of that class; and the acceptance of all other attempts against (39)'s
    attempt-weighted 1 - n (the control);
  - the acceptance of all of them against (39)'s: equal, since the start is stationary and
    the attempts are independent of the state (a check of the implementation);
  - the tracer's diffusion: the growth of the variance of its unwrapped displacement from
    t1 to t2 against that of the mean-field tracer, the Markov chain of (39) in which a
    particle of class k jumps to j at the rate rate P_j (1 - n_j) (mean and standard error
    over the shards, in %).

  /usr/bin/python3 tools/velocity_memory.py [--gamma 0.1,0.05,0.025] [--temperature 2]
      [--boost 0.7] [--rho-bath 30] [--density 0.8] [--ell 6] [--cells 50]
      [--realizations 400] [--shards 8] [--dt 0.01] [--seed 1] [--statistics classical]

t1 = 15 / rate and t2 = t1 + 1000 gamma (the thermal sweep of tools/kinetic_limit.py), rate
= gamma rho_bath. `--bath bragg --sigma S --lambda-b LB --b B` replaces the thermal bath by
exp(-(lambda + LB)^2 / S^2) + B exp(-(lambda - LB)^2 / S^2).

With `--relax T0 [--times 0,0.5,1,2,4,8,16]` it measures instead how a gas cools (or warms)
towards (40): started from the product state of the occupations of (40) for the weights
exp(-lambda^2 / 2 T0) at the same density, for which (39) is exact for the mean occupations
at t = 0, it prints the energy per particle at the times (in units of 1 / rate) against
(39) solved from the same start (RK4): any departure is built by the dynamics.
"""
import argparse
import math
import sys

import numpy as np


def occupations(w, per_cell):
    """Independent occupations n_k / (1 - n_k) = c w_k with sum_k n_k = per_cell."""
    if per_cell >= np.count_nonzero(w > 0):
        sys.exit("density beyond the lattice's Pauli limit")
    lo, hi = -800.0, 800.0  # log c by bisection
    lw = np.log(np.maximum(w, 1e-300))
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if (1 / (1 + np.exp(-mid - lw))).sum() < per_cell else (lo, mid)
    return 1 / (1 + np.exp(-lo - lw))


def lattice(a, span=7.0):
    """Classes lambda_k = k dl covering the bath (and the --relax start) to span standard
    deviations; bath weights P_k; the stationary occupations n_k of (40) at the density."""
    dl = 2 * math.pi / a.ell
    if a.bath == "thermal":
        mean, sd = a.boost, math.sqrt(a.temperature)
    else:  # exp(-(l + lambda_B)^2 / sigma^2) + b exp(-(l - lambda_B)^2 / sigma^2)
        mean, sd = 0.0, a.lambda_b + a.sigma / math.sqrt(2)
    lo, hi = mean - span * sd, mean + span * sd
    if a.relax:
        lo, hi = min(lo, -span * math.sqrt(a.relax)), max(hi, span * math.sqrt(a.relax))
    lam = np.arange(math.floor(lo / dl), math.ceil(hi / dl) + 1) * dl
    if a.bath == "thermal":
        P = np.exp(-(lam - a.boost) ** 2 / (2 * a.temperature))
    else:
        P = np.exp(-(lam + a.lambda_b) ** 2 / a.sigma ** 2) + a.b * np.exp(-(lam - a.lambda_b) ** 2 / a.sigma ** 2)
    P /= P.sum()
    return lam, P, occupations(P, a.density * a.ell)


def mean_field_relaxation(P, n0, rate, times, h=1e-3):
    """(39) on the lattice for the mean occupations (exact at t = 0 for a product state):
    dn_k/dt = rate [P_k (1 - n_k) sum_j n_j - n_k sum_j P_j (1 - n_j)], RK4; n at each time."""
    def f(n):
        return rate * (P * (1 - n) * n.sum() - n * (P * (1 - n)).sum())
    n, t, out = n0.copy(), 0.0, []
    for T in times:
        while t < T - 1e-12:
            step = min(h, T - t)
            k1 = f(n)
            k2 = f(n + step / 2 * k1)
            k3 = f(n + step / 2 * k2)
            k4 = f(n + step * k3)
            n, t = n + step / 6 * (k1 + 2 * k2 + 2 * k3 + k4), t + step
        out.append(n.copy())
    return out


def mean_field_growth(lam, P, n, rate, t1, t2):
    """Growth of the variance of the mean-field tracer's displacement from t1 to t2."""
    K = len(lam)
    Q = rate * np.tile(P * (1 - n), (K, 1))
    np.fill_diagonal(Q, 0)
    np.fill_diagonal(Q, -Q.sum(axis=1))
    pi = n / n.sum()
    dv = lam - pi @ lam
    # MSD(t) = 2 int_0^t (t - s) C(s) ds, C(s) = sum_k pi_k dv_k (e^{sQ} dv)_k; with the
    # spectral decomposition of the pi-symmetrised generator
    s = np.sqrt(pi)
    A = (s[:, None] * Q) / s[None, :]
    A = 0.5 * (A + A.T)
    w, V = np.linalg.eigh(A)
    a = (V.T @ (s * dv)) ** 2  # weights of C(s) = sum a e^{w s}
    keep = w < -1e-12 * rate

    def msd(t):
        mu = -w[keep]
        return 2 * np.sum(a[keep] * (t / mu - (1 - np.exp(-mu * t)) / mu ** 2))
    return msd(t2) - msd(t1)


def shard(lam, P, n, start, M, ell, rate, dt, R, obs_steps, rng, pauli=True, per_cell=0.0):
    """R realizations from the product state of occupations `start` (fermions) or with
    per_cell particles per cell of classes i.i.d. from P (classical). Returns the attempt
    counts and, at each step of obs_steps, each particle's displacement and class."""
    K, L = len(lam), M * ell
    if pauli:
        occ_p = rng.uniform(size=(R, K, M)) < start[None, :, None]
        rr, kk, mm = np.nonzero(occ_p)  # particles: realization-major, then class, cell
    else:  # the control: N = rho L per realization, classes i.i.d. from P, never blocked
        per = int(round(per_cell * M))
        rr = np.repeat(np.arange(R), per)
        kk = np.minimum(np.searchsorted(np.cumsum(P), rng.uniform(size=len(rr))), K - 1)
        mm = rng.integers(0, M, len(rr))
    # a realization's particle index order is arbitrary but fixed: its lowest wins a cell
    Np = len(rr)
    occ = np.zeros((R, K, M), bool)
    if pauli:
        occ[rr, kk, mm] = True
    cls, cell = kk.copy(), mm.copy()
    Y = (mm + rng.uniform(size=Np)) * ell  # comoving coordinate, unwrapped: x = Y + lambda t
    Y0 = Y.copy()
    prev_cls = np.full(Np, -1)
    prev_cell = np.full(Np, -1)
    cP = np.cumsum(P)
    p_att = 1 - math.exp(-rate * dt)
    nxt = rng.geometric(p_att, Np) - 1
    st = dict(ret_att=0, ret_ok=0, ret_mf=0.0, oth_att=0, oth_ok=0, oth_mf=0.0)
    seen = {}
    if 0 in obs_steps:
        seen[0] = (np.zeros(Np), cls.copy())
    for s in range(max(obs_steps)):
        due = np.nonzero(nxt == s)[0]
        if len(due):
            kp = np.minimum(np.searchsorted(cP, rng.uniform(size=len(due))), K - 1)
            t = (s + 1) * dt
            Yn = Y[due] + (lam[cls[due]] - lam[kp]) * t
            cn = np.minimum((np.mod(Yn, L) / ell).astype(int), M - 1)
            free = ~occ[rr[due], kp, cn] if pauli else kp != cls[due]
            back = (kp == prev_cls[due]) & (cn == prev_cell[due])
            other = ~back & (kp != cls[due])  # a target of the own class is the own cell: a no-op
            st["ret_att"] += back.sum()
            st["ret_mf"] += (1 - n[kp[back]]).sum()
            st["oth_att"] += other.sum()
            st["oth_mf"] += (1 - n[kp[other]]).sum()
            ok = np.nonzero(free)[0]
            key = (rr[due[ok]] * K + kp[ok]) * M + cn[ok]
            _, first = np.unique(key, return_index=True)  # due is increasing: lowest index first
            win = ok[first] if pauli else ok
            st["ret_ok"] += back[win].sum()
            st["oth_ok"] += other[win].sum()
            p, w = due[win], win
            if pauli:
                occ[rr[p], cls[p], cell[p]] = False
                occ[rr[p], kp[w], cn[w]] = True
            prev_cls[p], prev_cell[p] = cls[p], cell[p]
            cls[p], cell[p], Y[p] = kp[w], cn[w], Yn[w]
            nxt[due] = s + rng.geometric(p_att, len(due))
        if s + 1 in obs_steps:
            seen[s + 1] = (Y + lam[cls] * (s + 1) * dt - Y0, cls.copy())
    return st, rr, seen


def relax(a, lam, P, rng):
    """--relax: e(t) from a product state of a hotter gas against (39), which is exact for
    its mean occupations at t = 0: a departure is built by the dynamics alone."""
    n0 = occupations(np.exp(-lam ** 2 / (2 * a.relax)), a.density * a.ell)
    per = a.realizations // a.shards
    for gamma in (float(g) for g in a.gamma.split(",")):
        rate = gamma * a.rho_bath
        times = [float(t) / rate for t in a.times.split(",")]
        steps = [int(round(t / a.dt)) for t in times]
        mf = [(n * lam ** 2 / 2).sum() / n.sum() for n in mean_field_relaxation(P, n0, rate, [s * a.dt for s in steps])]
        E, N = [], []  # each realization's energy at each time, and its (conserved) count
        for _ in range(a.shards):
            _, rr, seen = shard(lam, P, n0, n0, a.cells, a.ell, rate, a.dt, per, steps, rng)
            E.append(np.stack([np.bincount(rr, lam[seen[s][1]] ** 2 / 2, per) for s in steps], 1))
            N.append(np.bincount(rr, minlength=per).astype(float))
        E, N = np.concatenate(E), np.concatenate(N)
        var_b = P @ lam ** 2 - (P @ lam) ** 2
        print(f"gamma {gamma:g}, xi {var_b / (2 * math.pi * rate):.3f}, from (40) at T0 = {a.relax:g} "
              f"(e {mf[0]:.4f}), {len(E)} realizations x {a.cells} cells, {N.mean():.1f} fermions each")
        print(f"{'t':>8} {'rate t':>7} {'e per particle':>20} {'(39)':>9} {'excess':>8} {'z':>7}")
        for o, t in enumerate(times):
            m = E[:, o].sum() / N.sum()  # the counts differ between realizations: a ratio estimate
            se = math.sqrt(((E[:, o] - m * N) ** 2).sum()) / N.sum()
            print(f"{steps[o] * a.dt:8.4g} {steps[o] * a.dt * rate:7.3g} {m:11.4f} +- {se:6.4f} {mf[o]:9.4f} "
                  f"{100 * (m / mf[o] - 1):+7.3f}% {(m - mf[o]) / se:+7.2f}", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gamma", default="0.1,0.05,0.025")
    ap.add_argument("--bath", choices=("thermal", "bragg"), default="thermal")
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--boost", type=float, default=0.7)
    ap.add_argument("--sigma", type=float, default=3.0, help="bragg")
    ap.add_argument("--lambda-b", type=float, default=4.0, help="bragg")
    ap.add_argument("--b", type=float, default=1.0, help="bragg: weight of the peak at +lambda_B")
    ap.add_argument("--rho-bath", type=float, default=30.0)
    ap.add_argument("--density", type=float, default=0.8)
    ap.add_argument("--ell", type=float, default=6.0)
    ap.add_argument("--cells", type=int, default=50)
    ap.add_argument("--realizations", type=int, default=400)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--dt", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--statistics", choices=("fermi", "classical"), default="fermi",
                    help="classical: the control (never blocked; the mean-field tracer is exact)")
    ap.add_argument("--relax", type=float, default=0.0, metavar="T0",
                    help="instead: e(t) from the product state of (40) for exp(-lambda^2 / 2 T0)")
    ap.add_argument("--times", default="0,0.5,1,2,4,8,16", help="--relax: in units of 1 / (gamma rho_bath)")
    a = ap.parse_args()
    lam, P, n = lattice(a)
    rng = np.random.default_rng(a.seed)
    if a.relax:
        if a.statistics != "fermi":
            sys.exit("--relax: fermions only (classical relaxation follows (38) exactly)")
        return relax(a, lam, P, rng)
    pauli = a.statistics == "fermi"
    n_use = n if pauli else 1e-12 * P  # classical: (39)'s blocking is absent, pi = P
    var_b = P @ lam ** 2 - (P @ lam) ** 2
    print(f"{len(lam)} classes, dl {2 * math.pi / a.ell:.4g}, {a.density * a.ell:.3g} per cell, "
          f"max n {n.max():.3f}, {a.realizations} realizations x {a.cells} cells in {a.shards} shards")
    print(f"{'gamma':>7} {'xi':>6} {'t1':>6} {'t2':>6} {'back/all':>9} {'accept back':>12} {'(39)':>6} "
          f"{'accept other':>13} {'(39)':>6} {'accept all':>11} {'(39)':>6} {'tracer growth vs mean field':>28}")
    for gamma in (float(g) for g in a.gamma.split(",")):
        rate = gamma * a.rho_bath
        t1 = 15.0 / rate
        t2 = t1 + 1000.0 * gamma
        steps = [int(round(t1 / a.dt)), int(round(t2 / a.dt))]
        mf = mean_field_growth(lam, P, n_use, rate, steps[0] * a.dt, steps[1] * a.dt)
        ex, tot = [], None
        for _ in range(a.shards):
            st, _, seen = shard(lam, P, n_use, n_use, a.cells, a.ell, rate, a.dt, a.realizations // a.shards, steps,
                                rng, pauli, a.density * a.ell)
            ex.append(100 * ((np.var(seen[steps[1]][0]) - np.var(seen[steps[0]][0])) / mf - 1))
            tot = st if tot is None else {k: tot[k] + st[k] for k in st}
        ex = np.array(ex)
        xi = var_b / (2 * math.pi * rate)
        print(f"{gamma:7.4g} {xi:6.3f} {t1:6.4g} {t2:6.4g} {tot['ret_att'] / (tot['ret_att'] + tot['oth_att']):9.4f} "
              f"{tot['ret_ok'] / tot['ret_att']:12.4f} {tot['ret_mf'] / tot['ret_att']:6.3f} "
              f"{tot['oth_ok'] / tot['oth_att']:13.4f} {tot['oth_mf'] / tot['oth_att']:6.3f} "
              f"{(tot['ret_ok'] + tot['oth_ok']) / (tot['ret_att'] + tot['oth_att']):11.4f} "
              f"{(tot['ret_mf'] + tot['oth_mf']) / (tot['ret_att'] + tot['oth_att']):6.4f} "
              f"{ex.mean():+18.2f} +- {ex.std(ddof=1) / math.sqrt(len(ex)):.2f} %", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
