#!/usr/bin/python3
"""Independent reference solver for the Burgers equation (2), to check `vswap burgers`.

    d_t rho + d_x J(rho) = d_x( D(rho) d_x rho ),   J' = u,   on the ring [0, L)

Written from docs/SPEC section 3, not from host/burgers.cpp; it shares nothing with the C++
solver except the transport coefficients, which it takes from `vswap theory --rho ... --csv`
(fermions: `--lattice`, on the run's velocity lattice, as `vswap burgers` does) on a fine
density grid (default 2001 points; u and D are interpolated linearly, J integrates the
linear u exactly).

Scheme (all different from the C++ one): finite volumes on N cells; Engquist-Osher flux
F(a, b) = J+(a) + J-(b), J+- = int_0^rho max/min(u, 0) (exact monotone flux for any J,
convex or not); face values from the unlimited kappa = 1/3 (third-order upwind-biased)
reconstruction (default; the grid resolves every viscous front) or MUSCL with the
monotonised-central limiter (`--limiter mc`); diffusive face flux D at the face average times
the centred difference. Time: scipy's Radau IIA (order 5, rtol 1e-8, sparse periodic Jacobian
pattern; default) or explicit SSP-RK3 with dt = cfl * min(dx / max|u|, dx^2 / (2 max D))
(`--integrator rk3`, slow when D is large). Initial data: exact cell averages of the wrapped
Gaussian (erf over images) or the uniform density. Output: bin averages on the run's bins.

Needs numpy, h5py and scipy (Debian: apt-get install python3-scipy; not installed by
tools/setup.sh, since no test or plot uses it). Python >= 3.11 (tomllib).

Usage:

    /usr/bin/python3 tools/burgers_reference.py CONFIG.toml [--set key=value ...] [--cells N]
        [--points P] [--vswap build/vswap] [--vswap-cells N] [--fourier] [--save F.npz]
        [--limiter none|mc] [--integrator radau|rk3] [--rtol R] [--cfl C]
    /usr/bin/python3 tools/burgers_reference.py RUN.h5 [--cells N]

With a config it runs `vswap burgers` on the same config and overrides and compares; with a
`vswap run` output it takes u, D from the run's /theory/coefficients (the run's velocity
lattice; cubic splines to the fine grid), solves on the run's bins and times, compares with
the stored /theory/density, and prints the Monte Carlo chi^2/dof against the stored theory,
the reference and the stored linear prediction (recomputed from /density/mean, /stderr).

Prints, per output time, max|ref - vswap| / max(ref), the L1 difference sum|ref - vswap| /
sum(ref), the max difference over the peak-to-peak variation of the profile, and the
reference's own mass drift. `--fourier` also prints the first Fourier mode's decay rate and
phase speed (both solutions) next to D(rho0) k^2 and u(rho0), rho0 = N/L (linear theory).
`--cells` defaults to the smallest multiple of the bins with dx <= min(width / 100,
D_min / (4 |Delta u|)); run it at N and 2N to see the reference's own error.
"""
import argparse
import io
import math
import os
import subprocess
import sys
import tempfile
import tomllib

import h5py
import numpy as np
from scipy.special import erf


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def run_vswap_burgers(vswap, config, sets, cells):
    fd, path = tempfile.mkstemp(suffix=".h5")
    os.close(fd)
    cmd = [vswap, "burgers", config, "-o", path] + [a for s in sets for a in ("--set", s)]
    if cells:
        cmd += ["--cells", str(cells)]
    log = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
    with h5py.File(path, "r") as f:
        out = dict(times=f["/times"][()], x=f["/density/x"][()],
                   density=f["/theory/density"][()], config=_text(f.attrs["config"]),
                   solver_cells=int(f["/theory/density"].attrs["solver_cells"]),
                   error_estimate=float(f["/theory/density"].attrs["error_estimate"]), log=log)
    os.remove(path)
    return out


def read_run(path):
    """A `vswap run` output: its config, times, bins, theory and Monte Carlo profiles."""
    with h5py.File(path, "r") as f:
        th = f["/theory/density"]
        return dict(times=f["/times"][()], x=f["/density/x"][()], density=th[()],
                    config=_text(f.attrs["config"]), solver_cells=-1,
                    error_estimate=float(th.attrs["error_estimate"]),
                    coefficients=f["/theory/coefficients"][()], mean=f["/density/mean"][()],
                    stderr=f["/density/stderr"][()], linear=f["/theory/linear_density"][()],
                    log=f"vswap run output {path}")


def theory_command(vswap, config, sets, fermi):
    """`vswap theory CONFIG --csv` with the overrides; fermions on the run's velocity lattice
    (--lattice), the coefficients `vswap burgers` and `vswap run` use."""
    return ([vswap, "theory", config, "--csv"] + (["--lattice"] if fermi else [])
            + [a for s in sets for a in ("--set", s)])


def transport_table(vswap, config, sets, fermi, rho_max, points):
    rho = np.linspace(0.0, rho_max, points)
    cmd = theory_command(vswap, config, sets, fermi) + ["--rho", ",".join(repr(float(r)) for r in rho)]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    tab = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    return tab[:, 0], tab[:, 1], tab[:, 3]


class Transport:
    """u, D linear in rho between table points; J+-(rho) integrals of max/min(u, 0)."""

    def __init__(self, rho, u, D):
        # Insert the zeros of u so that u+ and u- stay linear on every piece.
        r, v, d = [rho[0]], [u[0]], [D[0]]
        for i in range(1, len(rho)):
            if u[i - 1] * u[i] < 0:
                t = u[i - 1] / (u[i - 1] - u[i])
                r.append(rho[i - 1] + t * (rho[i] - rho[i - 1]))
                v.append(0.0)
                d.append(D[i - 1] + t * (D[i] - D[i - 1]))
            r.append(rho[i]), v.append(u[i]), d.append(D[i])
        self.rho, self.u, self.D = np.array(r), np.array(v), np.array(d)
        h = np.diff(self.rho)
        up, um = np.maximum(self.u, 0), np.minimum(self.u, 0)
        self.up, self.um = up, um
        self.Jp = np.concatenate([[0.0], np.cumsum(0.5 * h * (up[1:] + up[:-1]))])
        self.Jm = np.concatenate([[0.0], np.cumsum(0.5 * h * (um[1:] + um[:-1]))])

    def _integral(self, J, f, x):
        # a round-off undershoot below rho_min (vacuum tails) is extrapolated linearly
        tol = 1e-6 * (self.rho[-1] - self.rho[0])
        if np.any(x < self.rho[0] - tol) or np.any(x > self.rho[-1]):
            raise ValueError(f"density {x.min():.6g}..{x.max():.6g} leaves the table "
                             f"[{self.rho[0]}, {self.rho[-1]}]")
        y = np.maximum(x, self.rho[0])
        i = np.clip(np.searchsorted(self.rho, y) - 1, 0, len(self.rho) - 2)
        s = y - self.rho[i]
        h = self.rho[i + 1] - self.rho[i]
        slope = (f[i + 1] - f[i]) / h
        return J[i] + s * (f[i] + 0.5 * slope * s) + f[0] * (x - y)

    def Jplus(self, x):
        return self._integral(self.Jp, self.up, x)

    def Jminus(self, x):
        return self._integral(self.Jm, self.um, x)

    def Dof(self, x):
        return np.interp(x, self.rho, self.D)

    def uof(self, x):
        return np.interp(x, self.rho, self.u)


def initial_cells(cfg, cells):
    s = cfg["system"]
    L, N = float(s["length"]), float(s["particles"])
    if s.get("profile", "gaussian") == "uniform":
        return np.full(cells, N / L)
    w = float(s["width"])
    edges = np.linspace(0.0, L, cells + 1)
    images = int(math.ceil(10 * w / L)) + 1
    total = np.zeros(cells + 1)
    for m in range(-images, images + 1):
        total += 0.5 * erf((edges - L / 2 + m * L) / (math.sqrt(2) * w))
    return N * np.diff(total) / (L / cells)


def slopes(r, limiter):
    a = r - np.roll(r, 1)
    b = np.roll(r, -1) - r
    if limiter == "none":
        return None, a, b
    c = 0.5 * (a + b)
    s = np.sign(c) * np.minimum(np.minimum(2 * np.abs(a), 2 * np.abs(b)), np.abs(c))
    return np.where(a * b > 0, s, 0.0), a, b


def rhs(r, tr, dx, limiter):
    s, a, b = slopes(r, limiter)
    if s is None:
        # unlimited kappa = 1/3 (third-order upwind-biased) face values
        left = r + (a + 2 * b) / 6            # face i+1/2 seen from cell i
        right = r - (2 * a + b) / 6           # face i-1/2 seen from cell i
        right = np.roll(right, -1)            # face i+1/2 seen from cell i+1
    else:
        left = r + 0.5 * s                    # state at face i+1/2 from cell i
        right = np.roll(r - 0.5 * s, -1)      # state at face i+1/2 from cell i+1
    nxt = np.roll(r, -1)
    flux = tr.Jplus(left) + tr.Jminus(right) - tr.Dof(0.5 * (r + nxt)) * (nxt - r) / dx
    return -(flux - np.roll(flux, 1)) / dx


def solve(tr, L, r0, times, cfl, limiter, integrator, rtol):
    cells = r0.size
    dx = L / cells
    mass0 = r0.sum()
    if integrator == "radau":
        from scipy.integrate import solve_ivp
        from scipy.sparse import diags
        off = list(range(-2, 3)) + [cells - 2, cells - 1, -(cells - 1), -(cells - 2)]
        pattern = diags([np.ones(cells - abs(o)) for o in off], off, format="csc")
        t_end = times[-1]
        sol = solve_ivp(lambda t, y: rhs(y, tr, dx, limiter), (0.0, t_end), r0, method="Radau",
                        t_eval=times, rtol=rtol, atol=rtol * 1e-3 * r0.max(),
                        jac_sparsity=pattern)
        if not sol.success:
            raise RuntimeError(sol.message)
        out = sol.y.T
        drift = np.max(np.abs(out.sum(axis=1) - mass0)) / mass0
        return out, sol.nfev, drift
    sel = tr.rho <= 1.05 * r0.max()
    umax = np.max(np.abs(tr.u[sel])) + 1e-300
    dmax = np.max(tr.D[sel])
    hmax = cfl * min(dx / umax, dx * dx / (2 * dmax))
    r, t, out, steps = r0.copy(), 0.0, [], 0
    drift = 0.0
    for T in times:
        while t < T - 1e-12 * max(1.0, T):
            h = min(hmax, T - t)
            k1 = r + h * rhs(r, tr, dx, limiter)
            k2 = 0.75 * r + 0.25 * (k1 + h * rhs(k1, tr, dx, limiter))
            r = r / 3 + 2 / 3 * (k2 + h * rhs(k2, tr, dx, limiter))
            t += h
            steps += 1
        drift = max(drift, abs(r.sum() - mass0) / mass0)
        out.append(r.copy())
    return np.array(out), steps, drift


def first_mode(prof, L):
    """Complex amplitude of the k = 2 pi / L Fourier mode of bin averages on [0, L)."""
    B = prof.shape[-1]
    x = (np.arange(B) + 0.5) * L / B
    return (prof * np.exp(-2j * np.pi * x / L)).sum(axis=-1) * 2 / B


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--set", action="append", default=[], dest="sets")
    ap.add_argument("--cells", type=int, default=0)
    ap.add_argument("--points", type=int, default=2001)
    ap.add_argument("--cfl", type=float, default=0.4)
    ap.add_argument("--vswap", default=os.path.join(os.path.dirname(__file__), "..", "build", "vswap"))
    ap.add_argument("--vswap-cells", type=int, default=0)
    ap.add_argument("--fourier", action="store_true")
    ap.add_argument("--limiter", choices=["mc", "none"], default="none")
    ap.add_argument("--integrator", choices=["radau", "rk3"], default="radau")
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--save", help="write times, x, reference and vswap bin profiles (.npz)")
    a = ap.parse_args()

    run = a.config.endswith(".h5")
    vs = read_run(a.config) if run else run_vswap_burgers(a.vswap, a.config, a.sets, a.vswap_cells)
    cfg = tomllib.loads(vs["config"])
    L = float(cfg["system"]["length"])
    bins = int(cfg["numerics"]["bins"])
    fermi = cfg["system"].get("statistics", "fermi") == "fermi"  # vswap's default
    times = list(vs["times"])
    peak = initial_cells(cfg, 64 * bins).max()
    rho_top = max(float(cfg.get("theory", {}).get("rho_max", 4.0)), 1.05 * peak)
    if run:
        # the run's own table (fermions: on the run's velocity lattice), splined to a fine grid
        from scipy.interpolate import CubicSpline
        c = vs["coefficients"]
        rho = np.linspace(c[0, 0], c[-1, 0], a.points)
        rho_top = rho[-1]
        u, D = CubicSpline(c[:, 0], c[:, 1])(rho), CubicSpline(c[:, 0], c[:, 3])(rho)
    elif fermi:
        # stay below the Pauli limit, as vswap's own table does
        probe = subprocess.run(theory_command(a.vswap, a.config, a.sets, True) + ["--rho", repr(rho_top)],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            rho_top = 1.05 * peak
    if not run:
        rho, u, D = transport_table(a.vswap, a.config, a.sets, fermi, rho_top, a.points)
    tr = Transport(rho, u, D)

    cells = a.cells
    if cells == 0:
        r0 = initial_cells(cfg, 64 * bins)
        lo, hi = r0.min(), r0.max()
        sel = (tr.rho >= lo) & (tr.rho <= hi)
        du = np.ptp(tr.u[sel]) if sel.sum() > 1 else 0.0
        dmin = tr.D[sel].min() if sel.sum() > 0 else tr.D.min()
        dx = L
        if cfg["system"].get("profile", "gaussian") == "gaussian":
            dx = min(dx, float(cfg["system"]["width"]) / 100)
        if du > 0:
            dx = min(dx, dmin / (4 * du))
        cells = bins * max(2, math.ceil(L / dx / bins))
    r0 = initial_cells(cfg, cells)
    ref, steps, drift = solve(tr, L, r0, times, a.cfl, a.limiter, a.integrator, a.rtol)
    ref_bins = ref.reshape(len(times), bins, cells // bins).mean(axis=2)

    if a.save:
        np.savez(a.save, times=np.array(times), x=vs["x"], reference=ref_bins,
                 vswap=vs["density"])
    print(f"# {vs['log']}")
    print(f"# reference: {cells} cells, {a.integrator}/{a.limiter}, {steps} steps/evaluations, table {a.points} points on "
          f"[0, {rho_top:.6g}], mass drift {drift:.1e}; vswap solver cells {vs['solver_cells']}, "
          f"error_estimate {vs['error_estimate']:.2e}")
    print("t,peak_ref,max_rel,L1_rel,max_over_ptp,max_abs")
    for i, t in enumerate(times):
        d = vs["density"][i] - ref_bins[i]
        p = ref_bins[i]
        print(f"{t:g},{p.max():.6g},{np.abs(d).max() / p.max():.3e},"
              f"{np.abs(d).sum() / np.abs(p).sum():.3e},{np.abs(d).max() / max(np.ptp(p), 1e-300):.3e},"
              f"{np.abs(d).max():.3e}")
    if run:
        print("t,dof,chi2_dof_stored_theory,chi2_dof_reference,chi2_dof_linear")
        for i, t in enumerate(times):
            e = vs["stderr"][i]
            ok = e > 0
            chi = [np.mean(((vs["mean"][i] - p)[ok] / e[ok]) ** 2)
                   for p in (vs["density"][i], ref_bins[i], vs["linear"][i])]
            print(f"{t:g},{ok.sum()},{chi[0]:.4f},{chi[1]:.4f},{chi[2]:.4g}")
    if a.fourier:
        rho0 = float(cfg["system"]["particles"]) / L
        k = 2 * np.pi / L
        co = subprocess.run(theory_command(a.vswap, a.config, a.sets, fermi) + ["--rho", repr(rho0)],
                            check=True, capture_output=True, text=True).stdout.splitlines()[1]
        _, u0, du0, D0 = (float(v) for v in co.split(","))
        print(f"# linear theory at rho0 = {rho0:g}: rate D k^2 = {D0 * k * k:.6e}, speed u = {u0:.6g}")
        print("solution,t0,t1,rate,rate/(D k^2),speed,speed/u,|a(t1)|/|a(0)|")
        for name, prof in (("reference", ref_bins), ("vswap", vs["density"])):
            m = first_mode(prof, L)
            for i in range(1, len(times)):
                dt = times[i] - times[i - 1]
                rate = -np.log(abs(m[i]) / abs(m[i - 1])) / dt
                # the mode is exp(i k (x - c t)): its phase falls by k c dt (unwrap by the
                # linear-theory prediction)
                dphi = np.angle(m[i] / m[i - 1])
                guess = -k * u0 * dt
                dphi += 2 * np.pi * np.round((guess - dphi) / (2 * np.pi))
                c = -dphi / (k * dt)
                print(f"{name},{times[i-1]:g},{times[i]:g},{rate:.6e},{rate / (D0 * k * k):.6f},"
                      f"{c:.6g},{c / u0:.6f},{abs(m[i]) / abs(m[0]):.6e}")


if __name__ == "__main__":
    main()
