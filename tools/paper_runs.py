#!/usr/bin/python3
"""Run the paper's figures at full scale and print their chi^2 tables (markdown).

usage: /usr/bin/python3 tools/paper_runs.py [--build build] [--out out] [--quick] [NAME ...]
NAME: fig2 fig5a fig5b fig5c fig5d (default: all). --quick runs the *-quick configs.
Writes out/NAME.h5 and out/NAME.png; the tables go to stdout (docs/VALIDATION.md).
"""
import argparse
import os
import subprocess
import sys
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(vswap, cfg, out, extra):
    t0 = time.time()
    subprocess.run([vswap, "run", cfg, "-o", out, "-q", *extra], check=True)
    return time.time() - t0


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def table(name, path, wall):
    with h5py.File(path, "r") as f:
        a = f.attrs
        t = f["times"][...]
        chi2 = f["comparison/chi2_dof"][...]
        dof = f["comparison/dof"][...]
        lines = [f"### {name}: {a['realizations']} realizations, scheme {text(a['scheme'])}, "
                 f"backend {text(a['backend'])} ({text(a['device'])}), {wall:.0f} s wall\n"]
        if a["homogeneous"]:
            vchi = f["comparison/velocity_chi2_dof"][...]
            vdof = f["comparison/velocity_dof"][...]
            ez = f["comparison/energy_z"][...]
            lines.append("| t | chi2/dof velocity (dof) | e(t) MC | e(t) kinetic eq. | z |")
            lines.append("| --- | --- | --- | --- | --- |")
            em, es, et = f["energy/mean"][...], f["energy/stderr"][...], f["theory/energy"][...]
            for i in range(len(t)):
                lines.append(f"| {t[i]:g} | {vchi[i]:.3f} ({vdof[i]}) | {em[i]:.5f} +- {es[i]:.5f} "
                             f"| {et[i]:.5f} | {ez[i]:+.2f} |")
        else:
            lin = f["comparison/linear_chi2_dof"][...]
            ld = f["theory/linear_density"].attrs
            lines.append(f"Linear diffusion: rho0 = {ld['rho0']:.4f}, u(rho0) = {ld['u']:.4f}, "
                         f"D(rho0) = {ld['D']:.4f}\n")
            lines.append("| t | chi2/dof Burgers (2) | chi2/dof linear diffusion | dof |")
            lines.append("| --- | --- | --- | --- |")
            for i in range(len(t)):
                lines.append(f"| {t[i]:g} | {chi2[i]:.3f} | {lin[i]:.3f} | {dof[i]} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=["fig2", "fig5a", "fig5b", "fig5c", "fig5d"])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--set", action="append", default=[], help="passed to vswap run")
    args = ap.parse_args()
    vswap = os.path.join(args.build, "vswap")
    os.makedirs(args.out, exist_ok=True)
    extra = [x for s in args.set for x in ("--set", s)]
    for name in args.names:
        cfg = os.path.join(ROOT, "configs", f"{name}{'-quick' if args.quick else ''}.toml")
        if not os.path.exists(cfg):
            sys.exit(f"no config {cfg}")
        h5 = os.path.join(args.out, f"{name}.h5")
        wall = run(vswap, cfg, h5, extra)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "plot_run.py"), h5, "-o",
                        os.path.join(args.out, f"{name}.png")], check=True,
                       stdout=subprocess.DEVNULL)
        print(table(name, h5, wall), flush=True)


if __name__ == "__main__":
    main()
