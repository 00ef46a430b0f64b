#!/usr/bin/python3
"""Plot u(rho) and D(rho) for both statistics from a `vswap theory` HDF5 file (Fig. 4).

usage: /usr/bin/python3 tools/plot_theory.py theory.h5 -o fig4.png
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5")
    ap.add_argument("-o", "--output", default="fig4.png")
    args = ap.parse_args()
    with h5py.File(args.h5, "r") as f:
        if "theory/classical/coefficients" not in f:
            sys.exit(f"{args.h5}: no /theory/classical/coefficients (not a `vswap theory` file)")
        tables = {s: f[f"theory/{s}/coefficients"][...] for s in ("classical", "fermi")}
        gamma = f["theory"].attrs.get("gamma", float("nan"))
    fig, ax = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, sharey="row")
    labels = {"classical": "classical", "fermi": "fermions"}
    for col, s in enumerate(("classical", "fermi")):
        t = tables[s]
        ax[0, col].plot(t[:, 0], t[:, 3], color="C0")
        ax[0, col].set_title(f"({'ab'[col]}) D(rho), {labels[s]}")
        ax[1, col].plot(t[:, 0], t[:, 1], color="C1")
        ax[1, col].set_title(f"({'cd'[col]}) u(rho), {labels[s]}")
        ax[1, col].set_xlabel("rho")
    ax[0, 0].set_ylabel("D")
    ax[1, 0].set_ylabel("u")
    fig.suptitle(f"Transport coefficients, gamma = {gamma:g}")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
