#!/usr/bin/python3
"""Independent cross-check of `vswap theory --csv` against the paper's formulas.

    /usr/bin/python3 tools/theory_crosscheck.py [--vswap build/vswap] [--configs 36] [-v]

Draws random baths (bragg with b 0.05..20 and sigma 0.05..20, thermal with boosts up to
+-300, bragg_thermal, table files: one compact skewed bump, two bumps with a gap, a positive
non-uniform table), random gamma, rho_bath, statistics and lattices, runs
`vswap theory CONFIG --set ... --rho ... --csv` and compares u, u', D at densities from 1e-3
to 0.95 of the Pauli limit; checks that the HDF5 tables of `vswap theory -o` equal the CSV,
and that `vswap run` (fermions) uses (40) on its lattice. Densities above ~0.5 of the Pauli
limit of a Gaussian bath are compared on the C++ quadrature's support (its 1e-17 cut-off
sets that limit; the continuum has none), and differences there measure the quadrature, not
the formulas (docs/VALIDATION_theory.md).

Written from the paper (eqs. (20), (40), (86)-(88), (99)-(101), (103), (104)) and SPEC
sections 1 and 3 only: it does not share code or quadrature with the C++ library.

  bath states : bragg (104), thermal (boost w), bragg_thermal (= bragg, sigma = sqrt(2T)),
                table (piecewise-linear interpolation of a two-column file, zero outside)
  stationary  : (20) classical, (40) fermions, A from int rho_st = rho (brentq in log A)
  transport   : u (88), u' = -2 chi (h1-u|n)_st / (h0|h0)_st^2 (SPEC 3), finite difference
                of (88), D (99); classical limits (100), (101), thermal (103)
  quadrature  : composite Gauss-Legendre (continuum), or sums over the MC lattice
                lambda_j = j dl, dl = 2 pi M / L (what `vswap run` uses for fermions)
"""
import argparse
import os
import re
import subprocess
import tempfile

import h5py
import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy.optimize import brentq

SQPI = np.sqrt(np.pi)


class Bath:
    """rho_b(lambda), normalised to `density`. Gaussian mixtures or a linear table."""

    def __init__(self, density, peaks=None, table=None):
        self.density = density
        self.peaks = peaks  # list of (weight, centre, s) with exp(-(l-c)^2/s^2)
        self.table = table  # (x, y)
        if peaks is not None:
            z = sum(w * s * SQPI for w, c, s in peaks)
            self.peaks = [(w / z, c, s) for w, c, s in peaks]
        else:
            x, y = table
            z = np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x))  # exact for linear pieces
            self.table = (np.asarray(x, float), np.asarray(y, float) / z)

    @staticmethod
    def bragg(density, sigma, lB, b):
        return Bath(density, [(1.0, -lB, sigma), (b, lB, sigma)])

    @staticmethod
    def thermal(density, T, w):
        return Bath(density, [(1.0, w, np.sqrt(2 * T))])

    @staticmethod
    def bragg_thermal(density, T, lB, b):
        return Bath.bragg(density, np.sqrt(2 * T), lB, b)

    def __call__(self, lam):
        lam = np.asarray(lam, float)
        if self.peaks is not None:
            r = sum(w * np.exp(-((lam - c) / s) ** 2) for w, c, s in self.peaks)
        else:
            x, y = self.table
            r = np.interp(lam, x, y, left=0.0, right=0.0)
        return self.density * r

    # exact moments (Gaussian mixtures: closed form; table: exact for linear pieces)
    def moments(self):
        if self.peaks is not None:
            m0 = sum(w * s * SQPI for w, c, s in self.peaks)
            m1 = sum(w * s * SQPI * c for w, c, s in self.peaks)
            m2 = sum(w * s * SQPI * (c * c + s * s / 2) for w, c, s in self.peaks)
        else:
            # integrate x^k * linear exactly with 3-point GL per piece
            nodes, wts = self.quadrature(order=4, grade=0)
            f = self(nodes) / self.density
            m0, m1, m2 = (np.sum(wts * f * nodes ** k) for k in range(3))
        return m0, m1 / m0, m2 / m0 - (m1 / m0) ** 2  # norm (=1), mean, variance

    def support(self, rel=1e-17):
        """[lo, hi] where every peak is below rel * max (Gaussians), table ends."""
        if self.table is not None:
            return self.table[0][0], self.table[0][-1]
        lam = np.linspace(min(c - 10 * s for w, c, s in self.peaks),
                          max(c + 10 * s for w, c, s in self.peaks), 20001)
        mx = self(lam).max() / self.density
        lo = min(c - s * np.sqrt(np.log(w / (rel * mx))) for w, c, s in self.peaks
                 if w > rel * mx)
        hi = max(c + s * np.sqrt(np.log(w / (rel * mx))) for w, c, s in self.peaks
                 if w > rel * mx)
        return lo, hi

    def quadrature(self, lo=None, hi=None, order=20, per=None, grade=60):
        """Composite Gauss-Legendre nodes/weights on [lo, hi] (table: on each piece)."""
        g, gw = leggauss(order)
        if self.table is not None:
            # each linear piece, graded geometrically towards an end where rho_b is small
            # (the Fermi edge of (40) at rho_b ~ A sits there at high density)
            x, y = self.table
            edges = [x[0]]
            for i in range(len(x) - 1):
                a, b, ya, yb = x[i], x[i + 1], y[i], y[i + 1]
                small, big = min(ya, yb), max(ya, yb)
                if big > 0 and small < 0.5 * big and grade:
                    t = np.r_[0.0, 0.5 ** np.arange(grade, 0, -1), 1.0]  # 0, 2^-k ... 1
                    t = np.unique(np.r_[t, np.linspace(0, 1, 9)])
                    if ya > yb:
                        t = 1 - t[::-1]
                    edges.extend(list(a + (b - a) * t[1:]))
                else:
                    edges.append(b)
            edges = np.array(edges)
        else:
            if lo is None:
                lo, hi = self.support()
            smin = min(s for w, c, s in self.peaks)
            n = per if per is not None else int(np.ceil((hi - lo) / (smin / 4))) + 1
            edges = np.linspace(lo, hi, n + 1)
        a, b = edges[:-1, None], edges[1:, None]
        nodes = (0.5 * (b - a) * g + 0.5 * (a + b)).ravel()
        wts = (0.5 * (b - a) * gw).ravel()
        return nodes, wts


class Grid:
    """Quadrature: nodes lam, weights w, bath values rb (sum w rb = rho_bath)."""

    def __init__(self, lam, w, rb, density):
        self.lam, self.w, self.rb, self.density = lam, w, rb, density
        self.pauli = np.sum(w[rb > 0]) / (2 * np.pi)

    @staticmethod
    def continuum(bath, **kw):
        lam, w = bath.quadrature(**kw)
        return Grid(lam, w, bath(lam), bath.density)

    @staticmethod
    def lattice(bath, cells, length):
        dl = 2 * np.pi * cells / length
        lo, hi = bath.support() if bath.table is not None else (
            min(c - 40 * s for w, c, s in bath.peaks), max(c + 40 * s for w, c, s in bath.peaks))
        j = np.arange(np.floor(lo / dl), np.ceil(hi / dl) + 1)
        lam = j * dl
        rb = bath(lam)
        keep = rb > 0
        lam, rb = lam[keep], rb[keep]
        w = np.full(lam.size, dl)
        rb = rb * bath.density / np.sum(w * rb)
        return Grid(lam, w, rb, bath.density)


def stationary(grid, rho, chi):
    """rho_st and n = 2 pi rho_st on the grid; A of (40) (classical: None)."""
    if chi == 0:
        rst = rho * grid.rb / grid.density
        return rst, 2 * np.pi * rst, None
    if rho <= 0:
        raise ValueError("rho = 0")
    if rho >= grid.pauli:
        raise ValueError("beyond Pauli limit %g" % grid.pauli)

    def dens(logA):
        A = np.exp(logA)
        return np.sum(grid.w * grid.rb / (grid.rb + A)) / (2 * np.pi) - rho

    lo, hi = -50.0, 50.0
    while dens(lo) < 0:
        lo -= 50
    while dens(hi) > 0:
        hi += 50
    logA = brentq(dens, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
    A = np.exp(logA)
    n = grid.rb / (grid.rb + A)
    return n / (2 * np.pi), n, A


def coefficients(grid, rho, chi, gamma):
    """u (88), u' (SPEC 3), D (99); rho = 0: the limits."""
    lam, w, rb = grid.lam, grid.w, grid.rb
    if rho == 0:  # classical limits; u'(0) = -4 pi / rho_b^2 int rho_b^2 (l - u)
        u = np.sum(w * rb * lam) / grid.density
        D = np.sum(w * rb * (lam - u) ** 2) / (gamma * grid.density ** 2)
        du = 0.0 if chi == 0 else -4 * np.pi / grid.density ** 2 * np.sum(w * rb ** 2 * (lam - u))
        return u, du, D
    rst, n, A = stationary(grid, rho, chi)
    hole = 1 - chi * n if A is None else A / (rb + A)  # no cancellation
    m = w * rst * hole  # measure of (.|.)_st (86)
    h00 = np.sum(m)
    u = np.sum(m * lam) / h00
    du = -2 * chi * np.sum(m * (lam - u) * n) / h00 ** 2
    num = np.sum(m * (lam - u) ** 2 * hole)
    den = h00 * np.sum(w * hole * rb)  # (h0|rho_b/rho_st)_st = int (1 - chi n) rho_b
    D = num / (gamma * den)
    return u, du, D


def fd_du(grid, rho, chi, gamma, rel=1e-4):
    h = rel * rho
    up = coefficients(grid, rho + h, chi, gamma)[0]
    um = coefficients(grid, rho - h, chi, gamma)[0]
    up2 = coefficients(grid, rho + h / 2, chi, gamma)[0]
    um2 = coefficients(grid, rho - h / 2, chi, gamma)[0]
    d1 = (up - um) / (2 * h)
    d2 = (up2 - um2) / h
    return (4 * d2 - d1) / 3, abs(d2 - d1)


VERBOSE = False

VSWAP = "build/vswap"
BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "fig5d.toml")
TMP = tempfile.mkdtemp(prefix="theory_crosscheck_")
rng = np.random.default_rng(20240611)


def lu(a, b):
    return float(np.exp(rng.uniform(np.log(a), np.log(b))))


def cli(sets, rho, extra=()):
    cmd = [VSWAP, "theory", BASE] + sum((["--set", s] for s in sets), []) + list(extra)
    if rho is not None:
        cmd += ["--rho", ",".join(repr(float(r)) for r in rho), "--csv"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def pauli_of_cli(sets):
    rc, out, err = cli(sets, [1e9])
    m = re.search(r"Pauli limit ([0-9.eE+-]+)", err)
    return float(m.group(1)) if m else None


def make_table(kind, name):
    if kind == "compact":  # one skewed bump with compact support, coarse or fine
        h = lu(0.05, 1.0)
        a, c = lu(1, 8), rng.uniform(-5, 5)
        x = np.arange(c - a, c + 2 * a + h / 2, h)
        t = (x - (c - a)) / (3 * a)
        y = np.clip(t * (1 - t) ** 2, 0, None)
        y[0] = y[-1] = 0.0
    elif kind == "two_bumps":  # two separated bumps, zeros between
        h = lu(0.1, 0.8)
        x = np.arange(-12, 12 + h / 2, h)
        y = np.clip(1 - ((x + 6) / 3) ** 2, 0, None) + 0.4 * np.clip(1 - ((x - 6) / 2) ** 2, 0, None)
    else:  # positive everywhere (SPEC: "any positive rho_b"): Gaussian tabulated, non-uniform
        x = np.sort(rng.uniform(-20, 20, 80))
        y = np.exp(-(x - 2) ** 2 / 20) + 0.3 * np.exp(-(x + 5) ** 2 / 4) + 1e-3
    fn = "%s/%s.txt" % (TMP, name)
    np.savetxt(fn, np.c_[x, y], fmt="%.17g")
    return fn, x, y


def random_config(i):
    kind = ["bragg", "thermal", "bragg_thermal", "table"][i % 4]
    rb, gamma = lu(0.3, 500), lu(1e-3, 3)
    stat = "fermi" if (i // 4) % 3 != 2 else "classical"
    cells = int(rng.integers(10, 800))
    length = lu(50, 5000)
    sets = ["bath.kind=" + kind, "bath.density=%r" % rb, "collisions.gamma=%r" % gamma,
            "system.statistics=" + stat, "numerics.cells=%d" % cells, "system.length=%r" % length, "system.width=%r" % (length / 10)]
    desc = dict(kind=kind, rho_bath=rb, gamma=gamma, stat=stat)
    if kind == "bragg":
        s = lu(0.05, 20)
        lB, b = rng.uniform(0, 3) * s * rng.choice([0.2, 1, 3]), lu(0.05, 20)
        sets += ["bath.sigma=%r" % s, "bath.lambda_B=%r" % lB, "bath.b=%r" % b]
        bath = Bath.bragg(rb, s, lB, b)
        desc.update(sigma=s, lB=lB, b=b)
    elif kind == "thermal":
        T = lu(0.01, 50)
        w = float(rng.choice([rng.uniform(-3, 3), rng.uniform(-300, 300)]))
        sets += ["bath.temperature=%r" % T, "bath.boost=%r" % w]
        bath = Bath.thermal(rb, T, w)
        desc.update(T=T, w=w)
    elif kind == "bragg_thermal":
        T, lB, b = lu(0.05, 20), rng.uniform(0, 10), lu(0.05, 20)
        sets += ["bath.temperature=%r" % T, "bath.lambda_B=%r" % lB, "bath.b=%r" % b]
        bath = Bath.bragg_thermal(rb, T, lB, b)
        desc.update(T=T, lB=lB, b=b)
    else:
        tk = ["compact", "two_bumps", "positive"][(i // 4) % 3]
        fn, x, y = make_table(tk, "table%d" % i)
        sets += ["bath.file=" + fn]
        bath = Bath(rb, table=(x, y))
        desc.update(table=tk, nodes=len(x), h=float(np.min(np.diff(x))))
    return sets, bath, desc


def rel(a, b, scale):
    return abs(a - b) / max(abs(b), scale)


def main(ncfg=36):
    worst = {}
    for i in range(ncfg):
        sets, bath, desc = random_config(i)
        chi = 1 if desc["stat"] == "fermi" else 0
        g = Grid.continuum(bath)
        P = pauli_of_cli(sets) if chi else None
        hsets = sets + ["theory.rho_max=%r" % (0.9 * P if chi else 10.0), "theory.points=7"]
        rc, out, err = cli(hsets, None, ["-o", "%s/cfg%d.h5" % (TMP, i)])
        assert rc == 0, err
        with h5py.File("%s/cfg%d.h5" % (TMP, i)) as f:
            bl = f["bath/lambda"][:]
        gc = g if bath.table is not None else Grid.continuum(bath, lo=bl[0], hi=bl[-1])
        if chi:
            rhos = [1e-3, 0.05 * P, 0.3 * P, 0.7 * P, 0.95 * P]
        else:
            P = None
            rhos = [1e-3, lu(0.01, 1), lu(1, 100)]
        rc, out, err = cli(sets, [0.0] + rhos)
        if VERBOSE:
          print("cfg %2d %s  Pauli cli %s mine %s (on cli support %s)" % (i, {k: (round(v, 4) if isinstance(v, float) else v) for k, v in desc.items()}, P, g.pauli if chi else "-", gc.pauli if chi else "-"))
        if rc != 0:
            print("cfg %d: CLI error:" % i, err.strip())
            continue
        rows = np.array([[float(v) for v in l.split(",")] for l in out.strip().splitlines()[1:]])
        var = bath.moments()[2]
        speed = np.sqrt(var)
        for r in rows:
            rho = r[0]
            gg = gc if (chi and rho > 0.5 * P) else g
            try:
                u, du, D = coefficients(gg, rho, chi, desc["gamma"])
            except ValueError as e:
                print("cfg %d rho %.4g: reference fails: %s; cli %s" % (i, rho, e, r[1:]))
                continue
            du_scale = speed / max(rho, 1e-300) * 1e-6 if rho > 0 else abs(du) + 1e-300
            # u: in units of the bath's rms speed; u': of |u'| + speed / rho (u' may vanish)
            e = (abs(r[1] - u) / speed, abs(r[2] - du) / (abs(du) + speed / max(rho, 1e-3)), rel(r[3], D, 0))
            tag = "cont"
            if chi and rho > 0 and rho < g.pauli:
                fd, fde = fd_du(g, rho, chi, desc["gamma"])
                efd = abs(fd - du) / max(abs(du), speed / rho * 1e-9)
            else:
                efd = float("nan")
            if VERBOSE:
                print("   rho %-10.4g u %-+.10g du %-+.10g D %-.10g | du_u/speed %.1e  rel du %.1e  rel D %.1e  (FD of (88) vs u' %.1e)"
                      % (rho, r[1], r[2], r[3], *e, efd))
            band = "" if not chi else ("  rho<=0.3P" if rho <= 0.31 * P else ("  rho=0.7P" if rho < 0.9 * P else "  rho=0.95P"))
            key = desc["kind"] + ("/" + desc["table"] if "table" in desc else "") + " " + desc["stat"] + band
            wk = worst.setdefault(key, [0, 0, 0])
            for k in range(3):
                wk[k] = max(wk[k], e[k])
        if not chi and VERBOSE:  # classical limits (100), (101) from exact moments
            m0, mean, var = bath.moments()
            print("   (100) u=%.15g  (101) D=%.15g" % (mean, var / (desc["gamma"] * desc["rho_bath"])),
                  " (103) T/(gamma rb)=%.15g" % (desc["T"] / (desc["gamma"] * desc["rho_bath"])) if desc["kind"] == "thermal" else "")
    print("\n%d random configurations; largest difference by class: |du|/speed, |du'|/(|u'| + speed/rho), |dD|/D" % ncfg)
    for k, v in sorted(worst.items()):
        print("  %-44s %.1e %.1e %.1e" % (k, *v))


def h5_vs_csv(i, vswap=VSWAP):
    """/theory/{coefficients,classical,fermi} of `vswap theory -o` vs --csv at the same rho."""
    sets, bath, desc = random_config(i)
    chi = desc["stat"] == "fermi"
    P = pauli_of_cli(sets) if chi else None
    hsets = sets + ["theory.rho_min=%r" % (0.001 if i % 2 else 0.0),
                    "theory.rho_max=%r" % (0.97 * P if chi else 7.0), "theory.points=9"]
    fn = "%s/h5cfg%d.h5" % (TMP, i)
    rc, out, err = cli(hsets, None, ["-o", fn])
    assert rc == 0, err
    worst = 0.0
    with h5py.File(fn) as f:
        for path, stat in [("theory/coefficients", desc["stat"]), ("theory/classical/coefficients", "classical"),
                           ("theory/fermi/coefficients", "fermi")]:
            tab = f[path][:]
            if len(tab) == 0:
                continue
            rc, out, err = cli(sets + ["system.statistics=" + stat], tab[:, 0])
            assert rc == 0, err
            rows = np.array([[float(v) for v in l.split(",")] for l in out.strip().splitlines()[1:]])
            assert rows.shape == tab.shape, (rows.shape, tab.shape)
            scale = np.array([1, np.sqrt(bath.moments()[2]), 1, 1])
            d = np.abs(rows - tab)
            d[:, 2] /= np.abs(tab[:, 2]) + np.sqrt(bath.moments()[2]) / np.maximum(tab[:, 0], 1e-3)
            d[:, 1] /= scale[1]
            d[:, 3] /= np.abs(tab[:, 3])
            worst = max(worst, d.max())
    return desc, worst


def lattice_run(sets, bath, chi, gamma, vswap=VSWAP, tag="lat"):
    """`vswap run` (tiny) /theory/coefficients vs xcheck on the run's own velocity classes."""
    fn = "%s/%s.h5" % (TMP, tag)
    cmd = [vswap, "run", BASE] + sum((["--set", s] for s in sets + [
        "system.particles=40", "numerics.realizations=1", "numerics.times=[0.0,0.01]",
        "numerics.backend=cpu", "theory.points=6", "numerics.dt=0.01",
        "system.profile=uniform"]), []) + ["-o", fn]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        return None, p.stderr.strip()
    with h5py.File(fn) as f:
        lam, rb_code = f["bath/lambda"][:], f["bath/rho_b"][:]
        tab = f["theory/coefficients"][:]
    dl = lam[1] - lam[0]
    g = Grid(lam, np.full(lam.size, dl), bath(lam) * bath.density / np.sum(dl * bath(lam)), bath.density)
    worst = np.max(np.abs(g.rb - rb_code)) / g.rb.max()
    for r in tab:
        u, du, D = coefficients(g, r[0], chi, gamma)
        sp = np.sqrt(bath.moments()[2])
        worst = max(worst, abs(u - r[1]) / sp, abs(du - r[2]) / (abs(du) + sp / max(r[0], 1e-3)),
                    abs(D - r[3]) / D)
    return worst, (len(lam), dl, tab[-1, 0])


def main_all():
    global VSWAP, VERBOSE, rng
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vswap", default=VSWAP, help="the vswap binary (default build/vswap)")
    ap.add_argument("--configs", type=int, default=36, help="random configurations (default 36)")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every row")
    a = ap.parse_args()
    VSWAP, VERBOSE, rng = a.vswap, a.verbose, np.random.default_rng(a.seed)
    main(a.configs)
    rng = np.random.default_rng(a.seed + 1)
    print("\nHDF5 /theory/{coefficients,classical,fermi} vs --csv at the same densities:")
    w = max(h5_vs_csv(i)[1] for i in range(12))
    print("  12 configurations: largest difference %.1e (u/speed, u'/(|u'|+speed/rho), D rel.)" % w)
    rng = np.random.default_rng(a.seed + 2)
    print("\n`vswap run` fermions: /theory/coefficients vs (40) on the run's lattice lambda_j = j dl:")
    for i in range(12):
        sets, bath, desc = random_config(i)
        if desc["kind"] == "table":
            continue
        # a lattice spacing from 0.2 to 3 times the bath's rms width (narrow and wide peaks)
        dl = np.sqrt(bath.moments()[2]) * lu(0.2, 3.0)
        cells = int(rng.integers(20, 400))
        sets = [s for s in sets if not s.startswith(("system.statistics", "numerics.cells", "system.length"))]
        sets += ["system.statistics=fermi", "numerics.cells=%d" % cells,
                 "system.length=%r" % (2 * np.pi * cells / dl), "theory.rho_max=%r" % lu(0.05, 3)]
        w, info = lattice_run(sets, bath, 1, desc["gamma"], tag="lat%d" % i)
        if w is None:
            print("  cfg %d: run refused: %s" % (i, info.splitlines()[-1]))
        else:
            print("  %-14s %3d classes, dl %.3g, rho up to %.3g: largest difference %.1e" % (desc["kind"], info[0], info[1], info[2], w))


if __name__ == "__main__":
    main_all()
