#!/usr/bin/python3
"""Draw the paper's figures from `vswap run` HDF5 files (PNG).

Inhomogeneous runs (Fig. 5): one panel per observation time, the Monte Carlo density
histogram with error bars over the Burgers prediction (2) (and, where stored, the boosted
linear diffusion equation). Homogeneous runs (Fig. 2): e(t) with error bars over the
kinetic equation, and the initial and final velocity histograms over the theory.

usage: /usr/bin/python3 tools/plot_run.py run.h5 [more.h5 ...] -o figure.png
"""
import argparse
import math
import sys

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    f = h5py.File(path, "r")
    for name in ("times", "density/mean", "density/stderr", "theory/density"):
        if name not in f:
            sys.exit(f"{path}: no /{name}: not a `vswap run` output")
    return f


def chi2_label(f, i, name="comparison/chi2_dof"):
    if name in f:
        return f"chi2/dof = {f[name][i]:.2f}"
    return ""


def plot_density(files, output):
    times = files[0]["times"][...]
    nt = len(times)
    cols = min(nt, 4)
    rows = len(files) * math.ceil(nt / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows), squeeze=False)
    r0 = 0
    for f in files:
        x = f["density/x"][...]
        mean, err = f["density/mean"][...], f["density/stderr"][...]
        th = f["theory/density"][...]
        lin = f["theory/linear_density"][...] if "theory/linear_density" in f else None
        title = str(f.filename).rsplit("/", 1)[-1]
        for i, t in enumerate(f["times"][...]):
            ax = axes[r0 + i // cols, i % cols]
            ax.errorbar(x, mean[i], yerr=err[i], fmt=".", ms=2.5, lw=0.7, color="C0",
                        label="Monte Carlo")
            ax.plot(x, th[i], color="C3", lw=1.3, label="Burgers (2)")
            if lin is not None and i > 0:
                ax.plot(x, lin[i], color="C2", lw=1.0, ls="--", label="linear diffusion")
            ax.set_title(f"t = {t:g}   {chi2_label(f, i)}", fontsize=9)
            ax.set_xlabel("x", fontsize=8)
            ax.tick_params(labelsize=7)
            if i % cols == 0:
                ax.set_ylabel(f"rho(x)   [{title}]", fontsize=8)
        axes[r0, min(nt, cols) - 1].legend(fontsize=7)
        for j in range(nt, math.ceil(nt / cols) * cols):
            axes[r0 + j // cols, j % cols].axis("off")
        r0 += math.ceil(nt / cols)
    fig.tight_layout()
    fig.savefig(output, dpi=120)


def plot_homogeneous(f, output):
    t = f["times"][...]
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].errorbar(t, f["energy/mean"][...], yerr=f["energy/stderr"][...], fmt="o", ms=3,
                   label="Monte Carlo")
    if "theory/energy" in f:
        ax[0].plot(t, f["theory/energy"][...], color="C3", label="kinetic equation")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel("e(t)")
    ax[0].legend()
    lam = f["velocity/lambda"][...]
    vm, ve = f["velocity/mean"][...], f["velocity/stderr"][...]
    thv = f["theory/velocity"][...] if "theory/velocity" in f else None
    for i, c in ((0, "C0"), (len(t) - 1, "C1")):
        ax[1].errorbar(lam, vm[i], yerr=ve[i], fmt=".", ms=3, color=c, label=f"MC t = {t[i]:g}")
        if thv is not None:
            ax[1].plot(lam, thv[i], color=c, lw=1)
    ax[1].set_xlabel("lambda")
    ax[1].set_ylabel("rho_p(lambda)")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(output, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    files = [load(p) for p in args.h5]
    if files[0].attrs.get("homogeneous", 0):
        plot_homogeneous(files[0], args.output)
    else:
        plot_density(files, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
