#!/usr/bin/python3
"""The Monte Carlo on random configs that no config, test or document uses, against exact
references and against the theory (docs/VALIDATION.md section 10).

    /usr/bin/python3 tools/mc_audit.py [--vswap build/vswap] [--cases 24] [--seed 1]
                                       [--budget 1e8] [--threads 2] [--min-count 50]
                                       [--keep DIR] [--only 3,7] [-v]
    /usr/bin/python3 tools/mc_audit.py --third-cumulant 10,40     (section 10 (a))
    /usr/bin/python3 tools/mc_audit.py --canonical RUN.h5          (section 10 (b))

Each case draws a bath (bragg, thermal with boost, bragg_thermal, or a random table of
Gaussian bumps, a flat piece and a compact triangle), rho_bath, the statistics, the scheme
(fermions: `exact`; classical: `event`, `exact`, `paper` in turn) and either a Gaussian
profile or a uniform gas; every 18 cases hold 6 + 3 of each statistics. The parameters are
scaled from the bath and the theory, and each case costs at most about `--budget` attempts
(`paper`: a tenth of it, per particle-step):

  fermions    xi = var_b / (2 pi gamma rho_bath) in [2, 20] (the lattice model follows (39)
              when xi >> 1, section 9); cell length ell >= 1.5 x 2 pi / sd_b (the velocity
              lattice dl = 2 pi / ell resolves the bath); peak density 0.05..0.6 of
              4 sd_b / (2 pi); start in the stationary state (40) (`stationary`)
  classical   gamma rho_bath in [0.3, 5]; start from the bath (stationary at once)
  profile     width a x sqrt(D tau), tau = 1 / (gamma rho_bath), D at the peak density;
              times 0, t/4, t/2, t with 2 D t = width^2; ring L = 8 x width.
              Classical: a in [3, 40], N in [150, 600]. Fermions: a in [60, 120], N in
              [150, 300], and N R capped so that the departures of Burgers (2) from the model
              (section 10: the renewal lag 2 D tau, the third cumulant, skewness ~1.06 s_b / a
              for the bath's skewness s_b, and the finite-N front wander, R <= 5 N) stay
              below half a standard error; that leaves the width resolved to 1 / sqrt(2 N R),
              0.3-0.6 %
              Classical profiles start from the bath or (every other one) from a thermal
              state at T0 = 0.2-3 var_b, observed also at 0.5 and 2 tau: far from local
              equilibrium, where (2) has an initial slip and the kinetic solution is exact
  uniform     times 0, 0.5, 1, 2, 4, 8 tau; classical: from a thermal start (relaxation
              (38)); fermions: from `stationary` (a `thermal` start is no product measure,
              and (39) does not follow its transient: section 7)
  exact/paper rate dt = 0.02

Then `vswap run` and, from its HDF5 file, the p-value of each comparison: a chi^2 over the
bins where the reference expects >= --min-count counts over all realizations (a bin of a few
counts has a noisy standard error: the stored /comparison chi^2 keeps every bin with a
non-zero one), or an energy z. Judged:
  classical profiles  the density against the exact solution of the model's linear kinetic
                      equation (independent particles; `exact_classical_density`); after a
                      thermal start also the velocity histogram and the energy against
                      their exact relaxation phi + (psi - phi) e^{-rt}
  uniform fermions    velocity histogram and energy against the canonical state of N
                      fermions (`canonical_occupations`)
  fermion profiles    the density against /theory/density (Burgers (2))
  all                 the velocity histogram against /theory/velocity and the energy's z,
                      except where a reference above replaces them
The run's own theory comparisons that the exact references replace are printed, not judged
(they show the theory's departures, section 10). Printed: one row per case (markdown) with
the smallest judged p and the comparison that gave it, then the count of p < 1e-3 against
its expectation and a Bonferroni verdict (FAIL when min p x comparisons < 0.01, or a run
failed). The comparisons of one run are not independent, so the bound is conservative.
A draw that vswap refuses as input (exit 2, checked with one realization at t = 0) is drawn
again and listed at the end.
Exit code 1 on FAIL.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
from scipy.stats import chi2 as chi2_dist
from scipy.stats import norm

GRID = np.linspace(-60.0, 60.0, 24001)
REFUSED = []  # draws vswap refused (exit 2), redrawn


def lu(rng, a, b):
    return float(np.exp(rng.uniform(np.log(a), np.log(b))))


def canonical_occupations(weights, cells, n):
    """The stationary state of N fermions on the ring, per class: the product measure of
    (40) (site (k, c) occupied with n_k = P_k / (P_k + A) independently) conditioned on
    N in all, which is what `velocities = "stationary"` draws and what the dynamics keeps
    (it conserves N). Its one-site marginals differ from (40)'s at O(1 / N): the class
    counts are Binomial(M, n_k), and a site of class k is occupied with probability
    n_k P(the other K M - 1 sites hold N - 1) / P(all hold N). A is set so that (40) holds
    N on average. Returns (n_k of (40), canonical marginals)."""
    from scipy.optimize import brentq
    from scipy.stats import binom
    P = weights / weights.max()
    live = P > 0
    A = np.exp(brentq(lambda la: cells * np.sum(P[live] / (P[live] + np.exp(la))) - n, -700.0, 700.0, xtol=1e-14))
    gc = np.where(live, P / (P + A), 0.0)
    counts = [binom.pmf(np.arange(cells + 1), cells, q) for q in gc]

    def total(skip=None):
        d = np.ones(1)
        for k, c in enumerate(counts):
            if k == skip:
                c = binom.pmf(np.arange(cells), cells - 1, gc[k])
            d = np.convolve(d, c)
        return d

    full = total()[n]
    can = np.array([gc[k] * total(k)[n - 1] / full if gc[k] > 0 else 0.0 for k in range(len(gc))])
    return gc, can


def random_bath(rng, kind, tmp, name):
    """(config lines of [bath] without density, rho_b shape on GRID, description)."""
    if kind == "bragg":
        s, lB, b = lu(rng, 1.5, 8.0), rng.uniform(-6, 6), rng.choice([0.0, lu(rng, 0.05, 3.0)])
        shape = np.exp(-((GRID + lB) / s) ** 2) + b * np.exp(-((GRID - lB) / s) ** 2)
        return ['kind = "bragg"', "sigma = %r" % s, "lambda_B = %r" % lB, "b = %r" % b], shape, \
            "bragg s=%.2f lB=%.2f b=%.2f" % (s, lB, b)
    if kind == "thermal":
        T, w = lu(rng, 0.3, 6.0), rng.uniform(-3, 3)
        shape = np.exp(-((GRID - w) ** 2) / (2 * T))
        return ['kind = "thermal"', "temperature = %r" % T, "boost = %r" % w], shape, \
            "thermal T=%.2f w=%.2f" % (T, w)
    if kind == "bragg_thermal":
        T, lB, b = lu(rng, 0.5, 8.0), rng.uniform(-6, 6), lu(rng, 0.05, 3.0)
        s = np.sqrt(2 * T)
        shape = np.exp(-((GRID + lB) / s) ** 2) + b * np.exp(-((GRID - lB) / s) ** 2)
        return ['kind = "bragg_thermal"', "temperature = %r" % T, "lambda_B = %r" % lB, "b = %r" % b], shape, \
            "bragg_thermal T=%.2f lB=%.2f b=%.2f" % (T, lB, b)
    # table: Gaussian bumps, a flat piece and a compact triangle, on a random grid
    h = lu(rng, 0.05, 0.4)
    x = np.arange(-12.0, 12.0 + h / 2, h)
    y = np.zeros_like(x)
    for _ in range(int(rng.integers(1, 4))):
        y += rng.uniform(0.2, 1.0) * np.exp(-((x - rng.uniform(-5, 5)) / lu(rng, 0.5, 2.5)) ** 2)
    a, c = rng.uniform(-6, 3), lu(rng, 0.5, 3.0)
    y += np.where((x > a) & (x < a + c), rng.uniform(0.0, 0.3), 0.0)
    t0, tw = rng.uniform(-6, 4), lu(rng, 0.5, 3.0)
    y += rng.uniform(0.0, 0.5) * np.clip(1 - np.abs(x - t0) / tw, 0, None)
    y[0] = y[-1] = 0.0
    fn = os.path.join(tmp, name + ".txt")
    np.savetxt(fn, np.c_[x, y], fmt="%.17g", header="lambda rho_b (mc_audit.py)")
    shape = np.interp(GRID, x, y, left=0.0, right=0.0)
    return ['kind = "table"', 'file = "%s"' % os.path.basename(fn)], shape, "table h=%.2f" % h


def moments(shape):
    """Mean, variance and skewness of the bath's velocity distribution."""
    w = shape / np.trapz(shape, GRID)
    mean = np.trapz(w * GRID, GRID)
    var = np.trapz(w * (GRID - mean) ** 2, GRID)
    return mean, var, np.trapz(w * (GRID - mean) ** 3, GRID) / var ** 1.5


def velocity_nodes(shape, nodes=200):
    """The bath as `nodes` cells over its support (rho_b >= 1e-13 of its peak): each cell's
    weight (normalised, sum 1) and mean velocity, from the fine GRID (the first two moments
    of each cell kept; the variance is short by (cell width)^2 / 12, ~2e-4 of it; the
    profiles change by ~1e-5 of their peak from 200 to 600 cells)."""
    cut = np.nonzero(shape >= 1e-13 * shape.max())[0]
    lo, hi = GRID[max(cut[0] - 1, 0)], GRID[min(cut[-1] + 1, len(GRID) - 1)]
    edges = np.linspace(lo, hi, nodes + 1)
    fine = np.linspace(lo, hi, 40 * nodes + 1)
    rho = np.interp(fine, GRID, shape)
    m0 = np.add.reduceat(0.5 * (rho[1:] + rho[:-1]) * np.diff(fine), np.arange(0, 40 * nodes, 40))
    vm = 0.5 * (fine[1:] + fine[:-1])
    m1 = np.add.reduceat(0.5 * (rho[1:] + rho[:-1]) * np.diff(fine) * vm, np.arange(0, 40 * nodes, 40))
    keep = m0 > 0
    v = np.where(keep, m1 / np.where(keep, m0, 1), 0.5 * (edges[1:] + edges[:-1]))[keep]
    return v, m0[keep] / m0[keep].sum()


def thermal_nodes(temperature, nodes=150):
    """A thermal start exp(-v^2 / 2 T0) as `nodes` cells over +-8 sd: each cell's weight and
    mean velocity, exact for the Gaussian."""
    sd = np.sqrt(temperature)
    e = np.linspace(-8 * sd, 8 * sd, nodes + 1)
    w = np.diff(norm.cdf(e / sd))
    m1 = sd * (norm.pdf(e[:-1] / sd) - norm.pdf(e[1:] / sd))
    return m1 / w, w / w.sum()


def exact_classical_density(v, phi, rate, n, length, width, times, edges, psi=None):
    """Classical particles are independent: the density of a run started from the wrapped
    Gaussian (centre L/2, sd width) with bath velocities is the solution of the linear
    kinetic equation d_t f + v d_x f = rate (phi(v) rho(x) - f), exactly the `event` model
    (`exact` and `paper` up to their (rate dt)^2 errors). Fourier mode k = 2 pi m / L:
    f_k(t) = exp(M t) psi rho_k(0), M = diag(-rate - i k v) + rate phi 1^T, by an eigen-
    decomposition; psi is the initial velocity law on the same nodes (default: the bath;
    a thermal start puts its own nodes beside the bath's, with phi = 0 there). Returns the
    bin averages on `edges` at `times` (T x B)."""
    psi = phi if psi is None else psi
    modes = int(np.ceil(8.0 * length / (2 * np.pi * width))) + 2  # exp(-k^2 w^2 / 2) < 1e-14
    a, b = edges[:-1], edges[1:]
    out = np.full((len(times), len(a)), n / length)
    for m in range(1, modes + 1):
        k = 2 * np.pi * m / length
        M = np.diag(-rate - 1j * k * v) + rate * np.outer(phi, np.ones_like(phi))
        lam, V = np.linalg.eig(M)
        c = np.linalg.solve(V, psi.astype(complex))
        ones_v = V.sum(axis=0)
        g0 = np.sum(ones_v * c)
        if abs(g0 - 1) > 1e-8:
            raise RuntimeError("kinetic reference: eigen-decomposition lost accuracy (mode %d: %g)" % (m, abs(g0 - 1)))
        rho0 = n * np.exp(-0.5 * (k * width) ** 2 - 1j * k * length / 2)
        bin_avg = (np.exp(1j * k * b) - np.exp(1j * k * a)) / (1j * k * (b - a))
        for j, t in enumerate(times):
            g = np.sum(ones_v * c * np.exp(lam * t))
            out[j] += 2.0 / length * np.real(rho0 * g * bin_avg)
    return out


def theory_d(vswap, cfg, rho):
    p = subprocess.run([vswap, "theory", cfg, "--rho", ",".join(repr(float(r)) for r in rho), "--csv"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    rows = [l.split(",") for l in p.stdout.splitlines() if l and l[0] not in "#r"]
    return np.array([[float(v) for v in r] for r in rows])


def write_config(fn, bath, rho_bath, system, gamma, scheme, numerics, rho_max):
    def table(d):
        return "\n".join("%s = %s" % (k, v if not isinstance(v, str) or v.startswith("[") else '"%s"' % v) for k, v in d.items())
    with open(fn, "w") as f:
        f.write("# mc_audit.py\n[bath]\n%s\ndensity = %r\n\n[system]\n%s\n\n" % ("\n".join(bath), rho_bath, table(system)))
        f.write('[collisions]\ngamma = %r\nscheme = "%s"\n\n[numerics]\n%s\n\n' % (gamma, scheme, table(numerics)))
        f.write("[theory]\nrho_min = 0.0\nrho_max = %r\npoints = 200\n" % rho_max)


def draw_case(i, rng, args, tmp):
    """One random case: (config path, description dict) or None when the draw is unusable."""
    # every 18 cases: each statistics x {gaussian, gaussian, uniform}, classical x 3 schemes
    stat = "fermi" if i % 2 == 0 else "classical"
    uniform = (i // 2) % 3 == 2
    scheme = "exact" if stat == "fermi" else ["event", "exact", "paper"][(i // 6) % 3]
    kind = ["bragg", "thermal", "bragg_thermal", "table"][int(rng.integers(4))]
    bath, shape, bdesc = random_bath(rng, kind, tmp, "bath%d" % i)
    mean_b, var_b, skew_b = moments(shape)
    sd = np.sqrt(var_b)
    rho_bath = rng.uniform(10, 60)
    if stat == "fermi":
        xi = lu(rng, 2.0, 20.0)
        rate = var_b / (2 * np.pi * xi)  # gamma rho_bath
        ell = max(2.0, 1.5 * 2 * np.pi / sd) * rng.uniform(1.0, 2.0)
        peak = lu(rng, 0.05, 0.6) * 4 * sd / (2 * np.pi)
    else:
        xi, rate, ell = None, lu(rng, 0.3, 5.0), None
        peak = lu(rng, 0.05, 2.0)
    gamma = rate / rho_bath
    tau = 1.0 / rate
    d = dict(case=i, stat=stat, scheme=scheme, bath=bdesc, rho_bath=rho_bath, gamma=gamma,
             uniform=uniform, xi=xi, shape=shape, rate=rate, skew=skew_b)
    cfg = os.path.join(tmp, "case%d.toml" % i)
    probe = dict(statistics=stat, particles=100, length=1000.0, profile="uniform", velocities="bath")
    write_config(cfg, bath, rho_bath, probe, gamma, scheme,
                 dict(cells=100, dt=0.02 * tau, realizations=1, seed=1, times="[0.0]", bins=10), 1.5 * peak + 1e-9)
    if uniform:
        length = lu(rng, 100.0, 400.0)
        n = int(np.clip(round(peak * length), 100, 800))
        length = n / peak
        per = 8.0  # attempts per particle
        times = [0.0, 0.5 * tau, tau, 2 * tau, 4 * tau, 8 * tau]
        T0 = lu(rng, 0.1, 3.0) * var_b
        # fermions: (39) closes on the mean occupations only for a product measure, which a
        # `thermal` start (Poisson cell counts, taken classes redrawn) is not: its transient
        # leaves (39) (VALIDATION section 7). `stationary` is (40), a product measure
        # conditioned on N: the run must stay in it.
        system = dict(statistics=stat, particles=n, length=length, profile="uniform",
                      velocities="thermal" if stat == "classical" else "stationary", temperature=T0)
        bins = 20
        d.update(T0=T0 if stat == "classical" else None)
    else:
        coef = theory_d(args.vswap, cfg, [peak])
        if coef is None:
            return None
        D = float(coef[0, 3])
        # width / sqrt(D tau): classical runs are compared with the exact kinetic solution,
        # at any a; fermions with Burgers (2), whose departures from the model must stay
        # below the error bars (see max_nr below)
        a = lu(rng, 3.0, 40.0) if stat == "classical" else lu(rng, 60.0, 120.0)
        width = a * np.sqrt(D * tau)
        if ell is not None:
            width = max(width, 10 * ell)
        n = max(int(round(peak * width * np.sqrt(2 * np.pi))), 1)
        if stat == "fermi":  # N in [150, 300], so that R >= ~100 at a ~ 100
            n = int(rng.integers(150, 301))
            if n / (width * np.sqrt(2 * np.pi)) <= peak:
                peak = n / (width * np.sqrt(2 * np.pi))  # a more dilute gas
            else:
                width = n / (peak * np.sqrt(2 * np.pi))  # wider at the drawn peak density
        elif n < 150:  # no Pauli limit: a denser gas
            peak *= 150.0 / n
            n = 150
        elif n > 600:
            peak *= 600.0 / n
            n = 600
        a = width / np.sqrt(D * tau)
        t_end = width ** 2 / (2 * D)
        per = t_end / tau
        # Burgers (2) against the model, for fermions: (a) the renewal lag: the variance trails
        # 2 D t by 2 D tau (VALIDATION section 7), a relative width error ~0.8 / a^2 at t / 4
        # against a resolution of 1 / sqrt(2 N R); (b) the third cumulant, 6 mu_3 t / rate^2
        # for independent particles (VALIDATION section 10), which (2) lacks: a skewness
        # ~1.06 s_b / a at t against a resolution sqrt(6 / (N R)) (s_b the bath's skewness);
        # (c) the finite-N front wander, growing as R / N (VALIDATION section 9). Each is
        # kept at or below half a standard error.
        max_nr = np.inf if stat == "classical" else min(
            0.125 * (a * a / 0.8) ** 2, 1.5 / (1.06 * abs(skew_b) / a) ** 2 if abs(skew_b) > 1e-6 else np.inf, 5.0 * n * n)
        times = [0.0, t_end / 4, t_end / 2, t_end]
        length = 8 * width
        start = "stationary" if stat == "fermi" else ["bath", "thermal"][(i // 2) % 3]
        T0 = lu(rng, 0.2, 3.0) * var_b
        if start == "thermal":  # and the velocity relaxation itself
            times = sorted(set(times + [0.5 * tau, 2 * tau]))
        system = dict(statistics=stat, particles=n, length=length, profile="gaussian", width=width,
                      velocities=start, temperature=T0)
        bins = 80
        # classical `thermal`: far from the local state; (2) has an initial slip, the
        # kinetic solution is still exact
        d.update(D=D, width=width, a=a, T0=T0 if start == "thermal" else None)
    cost = args.budget * (0.1 if scheme == "paper" else 1.0)
    if scheme == "paper":
        per /= 0.02  # paper costs per particle-step, 50 steps per attempt
    r = cost / (n * per)
    if not uniform:
        r = min(r, max_nr / n)
    r = int(np.clip(r, 100, 10000))
    cells = int(round(length / ell)) if ell is not None else 200
    numerics = dict(cells=max(cells, 1), dt=0.02 * tau, realizations=r, seed=1000 + i,
                    times="[%s]" % ", ".join(repr(float(t)) for t in times), bins=bins)
    write_config(cfg, bath, rho_bath, system, gamma, scheme, numerics, max(1.5 * peak, 0.1))
    d.update(N=n, R=r, peak=peak, L=length)
    # a config vswap refuses (exit 2, e.g. more fermions per cell than the lattice's classes
    # of weight hold) is outside the engine's domain: draw again, and say so
    check = subprocess.run([args.vswap, "run", cfg, "-o", os.path.join(tmp, "check.h5"), "-q", "--set",
                            "numerics.realizations=1", "--set", "numerics.times=[0.0]"], capture_output=True, text=True)
    if check.returncode == 2:
        REFUSED.append("case %d: %s" % (i, (check.stderr.strip().splitlines() or ["?"])[-1]))
        return None
    return cfg, d


def restricted_chi2(mean, err, theory, counts_per_unit, realizations, min_count):
    """chi^2 and dof of mean against theory on the bins where the theory expects at least
    min_count counts over all realizations (a bin of a few counts has a noisy standard
    error, and its chi^2 term is far from chi^2_1)."""
    keep = (theory * counts_per_unit * realizations >= min_count) & (err > 0) & np.isfinite(err)
    k = int(keep.sum())
    return float(np.sum(((mean[keep] - theory[keep]) / err[keep]) ** 2)), k


def p_values(fn, min_count, case):
    """[(p, what, judged)] of the density and velocity histograms at every time (chi^2 on the
    bins with >= min_count expected counts) and of the energy (two-sided, from its z).
    Classical profiles are judged against the exact kinetic solution, and a uniform
    fermion gas against the exact (canonical) stationary state of N fermions; the Burgers
    (2) and (39) comparisons of those cases are listed, not judged (they carry the
    theory's own departures: VALIDATION section 10)."""
    out = []
    with h5py.File(fn, "r") as f:
        times = f["times"][:]
        r = int(f.attrs["realizations"])
        length = float(f["sums"].attrs["length"])
        edges = f["density/edges"][:]
        dx = np.diff(edges)
        dl = np.diff(f["velocity/edges"][:])
        exact = case["stat"] == "classical" and not case["uniform"]
        thermal = exact and case["T0"] is not None  # a classical profile started thermal
        refs = [("density", "theory/density", dx, not exact), ("velocity", "theory/velocity", dl * length, not thermal)]
        if exact:
            v, phi = velocity_nodes(case["shape"])
            psi = None
            if thermal:  # the start's own nodes beside the bath's
                vt, pt = thermal_nodes(case["T0"])
                v, phi, psi = np.r_[v, vt], np.r_[phi, 0 * pt], np.r_[0 * phi, pt]
            kin = exact_classical_density(v, phi, case["rate"], case["N"], length, case["width"], times, edges, psi)
            refs.append(("density", kin, dx, True))
        if thermal:  # the velocity law relaxes as phi + (psi - phi) e^{-rt}, in every cell
            vel_edges = f["velocity/edges"][:]
            cdf = np.r_[0.0, np.cumsum(0.5 * (case["shape"][1:] + case["shape"][:-1]) * np.diff(GRID))]
            bath_bins = np.diff(np.interp(vel_edges, GRID, cdf / cdf[-1]))
            start_bins = np.diff(norm.cdf(vel_edges / np.sqrt(case["T0"])))
            decay = np.exp(-case["rate"] * times)[:, None]
            vel = case["N"] / length * (bath_bins * (1 - decay) + start_bins * decay) / dl
            refs.append(("velocity", vel, dl * length, True))
            w = case["shape"] / np.trapz(case["shape"], GRID)
            e_b = np.trapz(w * GRID ** 2 / 2, GRID)
            e_exact = e_b + (case["T0"] / 2 - e_b) * np.exp(-case["rate"] * times)
        for name, th, per, judged in refs:
            mean, err = f[name + "/mean"][:], f[name + "/stderr"][:]
            label = name if isinstance(th, str) else ("kinetic" if name == "density" else "relaxation")
            th = f[th][:] if isinstance(th, str) else th
            if name == "density" and not judged:
                label = "burgers"
            for j, t in enumerate(times):
                x, k = restricted_chi2(mean[j], err[j], th[j], per, r, min_count)
                if k > 0:
                    out.append((float(chi2_dist.sf(x, k)), "%s %.3g/%d t=%.4g" % (label, x / k, k, t), judged))
        canonical = case["stat"] == "fermi" and case["uniform"]
        for t, z in zip(times, f["comparison/energy_z"][:]):
            if np.isfinite(z):
                out.append((float(2 * norm.sf(abs(z))), "energy z=%+.2f t=%.4g" % (z, t), not (canonical or thermal)))
        if thermal:
            for j, t in enumerate(times):
                z = (f["energy/mean"][j] - e_exact[j]) / f["energy/stderr"][j]
                out.append((float(2 * norm.sf(abs(z))), "relaxation energy z=%+.2f t=%.4g" % (z, t), True))
        if canonical:  # the exact stationary state of N fermions (canonical_occupations)
            cells = int(round(length / (2 * np.pi / (f["velocity/lambda"][1] - f["velocity/lambda"][0]))))
            lam = f["velocity/lambda"][:]
            _, can = canonical_occupations(f["bath/rho_b"][:], cells, case["N"])
            per_class = cells / (length * dl)  # histogram value of one occupied class per cell
            th = np.broadcast_to(can * per_class, f["velocity/mean"].shape)
            mean, err = f["velocity/mean"][:], f["velocity/stderr"][:]
            e_can = np.sum(cells * can * lam ** 2 / 2) / case["N"]
            for j, t in enumerate(times):
                x, k = restricted_chi2(mean[j], err[j], th[j], dl * length, r, min_count)
                out.append((float(chi2_dist.sf(x, k)), "canonical %.3g/%d t=%.4g" % (x / k, k, t), True))
                z = (f["energy/mean"][j] - e_can) / f["energy/stderr"][j]
                out.append((float(2 * norm.sf(abs(z))), "canonical energy z=%+.2f t=%.4g" % (z, t), True))
            out = [(q, w, j and not w.startswith("velocity")) for q, w, j in out]
        xi = f["theory/coefficients"].attrs.get("kinetic_xi", np.nan)
    return out, float(xi)


def canonical_report(fn, min_count):
    """A uniform fermion run started `stationary` (any vswap run file): per time, chi^2/dof of
    its velocity histogram against the run's theory ((40) / (39) at N / L) and against the
    canonical state of its N fermions, and both energy z (VALIDATION section 10 (b))."""
    with h5py.File(fn, "r") as f:
        stats = f.attrs["statistics"]
        if (stats.decode() if isinstance(stats, bytes) else stats) != "fermi" or int(f.attrs["homogeneous"]) != 1:
            raise SystemExit("--canonical needs a uniform fermion run")
        times, r = f["times"][:], int(f.attrs["realizations"])
        length, n = float(f["sums"].attrs["length"]), int(f["sums"].attrs["particles"])
        lam, dl = f["velocity/lambda"][:], np.diff(f["velocity/edges"][:])
        cells = int(round(length * (lam[1] - lam[0]) / (2 * np.pi)))
        gc, can = canonical_occupations(f["bath/rho_b"][:], cells, n)
        mean, err, th = f["velocity/mean"][:], f["velocity/stderr"][:], f["theory/velocity"][:]
        em, es, et = f["energy/mean"][:], f["energy/stderr"][:], f["theory/energy"][:]
    per_class = cells / (length * dl)
    e_can = np.sum(cells * can * lam ** 2 / 2) / n
    print("%d fermions, %d cells, %d realizations; largest |canonical - (40)| per class %.2g" % (
        n, cells, r, np.max(np.abs(can - gc))))
    print("| t | chi^2/dof vs the run's theory | vs canonical | energy z vs the run's theory | vs canonical |")
    print("| --- | --- | --- | --- | --- |")
    for j, t in enumerate(times):
        x1, k1 = restricted_chi2(mean[j], err[j], th[j], dl * length, r, min_count)
        x2, k2 = restricted_chi2(mean[j], err[j], can * per_class, dl * length, r, min_count)
        print("| %.4g | %.2f (%d) | %.2f (%d) | %+.2f | %+.2f |" % (
            t, x1 / k1, k1, x2 / k2, k2, (em[j] - et[j]) / es[j], (em[j] - e_can) / es[j]))


def third_cumulant_study(args, tmp, widths, realizations=10000, particles=150):
    """VALIDATION section 10 (a): classical `event` particles on a two-peak bath (bragg_thermal
    T 0.75, lambda_B 2.61, b 0.15: skewness +1.58; rho_bath 16.7, gamma 0.02044), a Gaussian of
    width a sqrt(D tau) for each a in `widths`, L = 12 widths, 240 bins, times 0, t/4, t/2, t
    with 2 D t = width^2. Prints, per time, the profile's skewness (Monte Carlo, the exact
    kinetic solution, Burgers (2)) and chi^2/dof against the last two."""
    T, lB, b, rb, gamma = 0.75, 2.61, 0.15, 16.7, 0.02044
    bath = ['kind = "bragg_thermal"', "temperature = %r" % T, "lambda_B = %r" % lB, "b = %r" % b]
    s = np.sqrt(2 * T)
    shape = np.exp(-((GRID + lB) / s) ** 2) + b * np.exp(-((GRID - lB) / s) ** 2)
    mean, var, skew = moments(shape)
    rate = gamma * rb
    D, tau = var / rate, 1 / rate
    print("bath: mean %.4f, var %.4f, skewness %+.4f; D = %.4f, tau = %.4f" % (mean, var, skew, D, tau))
    print("| w / sqrt(D tau) | t / tau | skewness MC (+- sqrt(6 / N R)) | kinetic | (2) | chi^2/dof vs kinetic | vs (2) | wall s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for a in widths:
        width = a * np.sqrt(D * tau)
        t_end, length = width ** 2 / (2 * D), 12 * width
        times = [0.0, t_end / 4, t_end / 2, t_end]
        cfg = os.path.join(tmp, "third_cumulant_%g.toml" % a)
        system = dict(statistics="classical", particles=particles, length=length, profile="gaussian",
                      width=width, velocities="bath")
        numerics = dict(realizations=realizations, seed=5, bins=240,
                        times="[%s]" % ", ".join(repr(float(t)) for t in times))
        write_config(cfg, bath, rb, system, gamma, "event", numerics, 1.0)
        out = cfg.replace(".toml", ".h5")
        subprocess.run([args.vswap, "run", cfg, "-o", out, "-q", "--backend", "cpu", "--threads", str(args.threads)],
                       check=True)
        with h5py.File(out, "r") as f:
            tt, edges = f["times"][:], f["density/edges"][:]
            x = 0.5 * (edges[1:] + edges[:-1])
            mc, err, bu = f["density/mean"][:], f["density/stderr"][:], f["theory/density"][:]
            wall = float(f.attrs["wall_time_s"])
        v, phi = velocity_nodes(shape)
        kin = exact_classical_density(v, phi, rate, particles, length, width, tt, edges)
        cols = [[] for _ in range(5)]
        for j, t in enumerate(tt[1:], 1):
            d = (x - (length / 2 + mean * t) % length + length / 2) % length - length / 2
            for c, p in zip(cols, (mc[j], kin[j], bu[j])):
                q = p / p.sum()
                k1 = np.sum(q * d)
                c.append(np.sum(q * (d - k1) ** 3) / np.sum(q * (d - k1) ** 2) ** 1.5)
            for c, ref in zip(cols[3:], (kin[j], bu[j])):
                x2, k = restricted_chi2(mc[j], err[j], ref, np.diff(edges), realizations, args.min_count)
                c.append(x2 / k)
        fmt = lambda c, f: " / ".join(f % v for v in c)
        print("| %g | %s | %s (+- %.4f) | %s | %s | %s | %s | %.1f |" % (
            a, fmt([t / tau for t in tt[1:]], "%.1f"), fmt(cols[0], "%+.4f"), np.sqrt(6 / (particles * realizations)),
            fmt(cols[1], "%+.4f"), fmt(cols[2], "%+.4f"), fmt(cols[3], "%.2f"), fmt(cols[4], "%.1f"), wall))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vswap", default=os.path.join(os.path.dirname(__file__), "..", "build", "vswap"))
    ap.add_argument("--cases", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=1e8, help="attempts per case (paper: a tenth)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-count", type=float, default=50, help="expected counts a histogram bin needs to enter chi^2")
    ap.add_argument("--keep", help="keep configs and run files in this directory")
    ap.add_argument("--only", help="run only these cases (comma-separated), drawn as in the full sequence")
    ap.add_argument("-v", action="store_true", help="print every comparison")
    ap.add_argument("--third-cumulant", metavar="A,A",
                    help="instead of the audit: VALIDATION section 10 (a) at these widths / sqrt(D tau)")
    ap.add_argument("--canonical", metavar="RUN.h5",
                    help="instead of the audit: a uniform fermion run against the canonical state (section 10 (b))")
    args = ap.parse_args()
    if args.canonical:
        canonical_report(args.canonical, args.min_count)
        return 0
    tmp = args.keep or tempfile.mkdtemp(prefix="mc_audit.")
    os.makedirs(tmp, exist_ok=True)
    if args.third_cumulant:
        third_cumulant_study(args, tmp, [float(a) for a in args.third_cumulant.split(",")])
        if not args.keep:
            shutil.rmtree(tmp)
        return 0
    rng = np.random.default_rng(args.seed)
    only = None if args.only is None else {int(c) for c in args.only.split(",")}
    print("| case | statistics | scheme | bath | rho_bath | gamma | xi | gas | N | R | wall s | comparisons | min p | at |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    allp, low, fails = [], 0, []
    for i in range(args.cases):
        case = None
        while case is None:
            case = draw_case(i, rng, args, tmp)
        cfg, d = case
        if only is not None and i not in only:
            continue
        out = os.path.join(tmp, "case%d.h5" % i)
        t0 = time.time()
        p = subprocess.run([args.vswap, "run", cfg, "-o", out, "-q", "--backend", "cpu", "--threads", str(args.threads)],
                           capture_output=True, text=True)
        wall = time.time() - t0
        gas = ("uniform T0=%.2f" % d["T0"] if d["T0"] else "uniform, (40)") if d["uniform"] else \
            "gaussian w=%.0f D=%.3g%s" % (d["width"], d["D"], " T0=%.2f" % d["T0"] if d["T0"] else "")
        head = "| %d | %s | %s | %s | %.1f | %.4g | %s | %s | %d | %d | %.0f |" % (
            i, d["stat"], d["scheme"], d["bath"], d["rho_bath"], d["gamma"], "-", gas, d["N"], d["R"], wall)
        if p.returncode != 0:
            print(head + " run failed (exit %d) | | %s |" % (p.returncode, p.stderr.strip().splitlines()[-1:]))
            fails.append(i)
            continue
        ps, xi = p_values(out, args.min_count, d)
        if np.isfinite(xi):
            head = head.replace("| - |", "| %.2f |" % xi, 1)
        judged = [(q, w) for q, w, j in ps if j]
        allp += [q for q, _ in judged]
        low += sum(q < 1e-3 for q, _ in judged)
        q, what = min(judged)
        info = [(q2, w2) for q2, w2, j in ps if not j]
        extra = "; theory (not judged): min p %.2g, %s" % min(info) if info else ""
        print(head + " %d | %.2g | %s%s |" % (len(judged), q, what, extra))
        if args.v:
            for q, what, j in ps:
                print("|  |  |  |  |  |  |  |  |  |  |  |  | %.2g | %s%s |" % (q, what, "" if j else " (not judged)"))
        sys.stdout.flush()
    n = len(allp)
    pmin = min(allp) if allp else float("nan")
    print("\n%d comparisons in %d cases; p < 1e-3: %d (expected %.2f); min p %.2g, x comparisons = %.2g: %s"
          % (n, args.cases if only is None else len(only), low, 1e-3 * n, pmin, pmin * n,
             "FAIL" if fails or pmin * n < 0.01 else "pass"))
    if fails:
        print("runs failed: cases %s" % fails)
    if REFUSED:
        print("redrawn, refused by vswap (exit 2) before any realization:\n  " + "\n  ".join(REFUSED))
    if not args.keep:
        shutil.rmtree(tmp)
    return 1 if fails or pmin * n < 0.01 else 0


if __name__ == "__main__":
    sys.exit(main())
