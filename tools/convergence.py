#!/usr/bin/python3
"""Convergence study for Fig. 5(d): dt halved twice and the cells doubled, for a scheme.

usage: /usr/bin/python3 tools/convergence.py [--scheme exact|paper] [--realizations R]
       [--times 0,100,200] [--build build] [--config configs/fig5d.toml] [--set key=value]

Runs the reference (the config's dt, cells) and the variants dt/2, dt/4, 2 cells, each with
its own seed (independent samples), and prints (markdown) for each variant and time:
chi^2/dof of the difference of the density profiles against their combined standard errors
(~1 when the change is invisible within the error bars), the largest |change| in units of
the combined error, and chi^2/dof against the Burgers prediction.
"""
import argparse
import os
import subprocess
import tempfile
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(vswap, cfg, sets, out):
    args = [vswap, "run", cfg, "-o", out, "-q"]
    for s in sets:
        args += ["--set", s]
    t0 = time.time()
    subprocess.run(args, check=True)
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scheme", default="exact")
    ap.add_argument("--realizations", type=int, default=200)
    ap.add_argument("--times", default="0,100,200")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "fig5d.toml"))
    ap.add_argument("--set", action="append", default=[],
                    help="extra --set for every variant, e.g. system.velocities=stationary "
                         "(needed with 2x cells: the finer cells are degenerate for bath "
                         "initial velocities)")
    args = ap.parse_args()
    vswap = os.path.join(args.build, "vswap")
    import tomllib  # Python 3.11
    with open(args.config, "rb") as fh:
        cfg = tomllib.load(fh)
    dt, cells = cfg["numerics"]["dt"], cfg["numerics"]["cells"]
    for s in args.set:  # a --set of dt or cells moves the reference
        key, _, value = s.partition("=")
        if key == "numerics.dt":
            dt = float(value)
        elif key == "numerics.cells":
            cells = int(value)
    common = args.set + [f"collisions.scheme={args.scheme}", f"numerics.realizations={args.realizations}",
              f"numerics.times=[{args.times}]"]
    variants = [("reference", f"dt={dt:g}, cells={cells}", []),
                ("dt/2", f"dt={dt / 2:g}", [f"numerics.dt={dt / 2!r}"]),
                ("dt/4", f"dt={dt / 4:g}", [f"numerics.dt={dt / 4!r}"]),
                ("2 cells", f"cells={2 * cells}", [f"numerics.cells={2 * cells}"])]
    with tempfile.TemporaryDirectory() as tmp:
        data = {}
        for k, (name, desc, sets) in enumerate(variants):
            out = os.path.join(tmp, f"{k}.h5")
            wall = run(vswap, args.config, common + sets + [f"numerics.seed={1000 + k}"], out)
            with h5py.File(out, "r") as f:
                data[name] = dict(desc=desc, wall=wall, t=f["times"][...],
                                  mean=f["density/mean"][...], err=f["density/stderr"][...],
                                  chi2=f["comparison/chi2_dof"][...])
    ref = data["reference"]
    print(f"### Fig. 5(d) convergence, scheme `{args.scheme}`, {args.realizations} realizations"
          f"{', ' + ', '.join(args.set) if args.set else ''}\n")
    print("| variant | t | chi2/dof of change vs reference | max abs(change)/error | "
          "chi2/dof vs Burgers | wall s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, v in data.items():
        for i, t in enumerate(v["t"]):
            if name == "reference":
                print(f"| {name} ({v['desc']}) | {t:g} | - | - | {v['chi2'][i]:.3f} | "
                      f"{v['wall']:.0f} |")
                continue
            err = np.sqrt(v["err"][i] ** 2 + ref["err"][i] ** 2)
            ok = err > 0
            z = (v["mean"][i][ok] - ref["mean"][i][ok]) / err[ok]
            print(f"| {name} ({v['desc']}) | {t:g} | {np.mean(z ** 2):.3f} | "
                  f"{np.max(np.abs(z)):.2f} | {v['chi2'][i]:.3f} | {v['wall']:.0f} |")


if __name__ == "__main__":
    main()
