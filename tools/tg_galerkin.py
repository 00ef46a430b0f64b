#!/usr/bin/env python3
"""Fig. 3(a) by the paper's own method (Appendix F): the Chapman-Enskog equation of the
Tonks-Girardeau tubes with the small-momentum operator (E8), solved in a truncated basis of
polynomials orthonormal in the hydrodynamic product (F2), for growing basis sizes.

Prints, per basis size N, the diffusion constant D_N of (F5) and the smallest non-zero
eigenvalue of the truncated Gamma~ (the gap of (68), (F8)). Galerkin D_N increases
monotonically with N towards the true D; here it does not converge and the gap goes to 0:
see docs/VALIDATION_theory.md, "Fig. 3". numpy only.

    python3 tools/tg_galerkin.py [--T 4] [--mu-bath 2] [--rho 0.5] [--cutoff 40]
"""
import argparse

import numpy as np


def fermi(e):
    """1 / (1 + e^e) without overflow."""
    x = np.exp(-np.abs(e))
    return np.where(e >= 0, x / (1 + x), 1 / (1 + x))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--T", type=float, default=4.0, help="temperature of both tubes (Fig. 3(a): 4)")
    p.add_argument("--mu-bath", type=float, default=2.0, help="bath tube's chemical potential")
    p.add_argument("--rho", type=float, default=0.5, help="evolving tube's density")
    p.add_argument("--cutoff", type=float, default=40.0, help="quadrature range [-cutoff, cutoff]")
    p.add_argument("--points", type=int, default=160001, help="quadrature nodes")
    p.add_argument("--max-basis", type=int, default=26, help="largest basis size N")
    a = p.parse_args()

    lam = np.linspace(-a.cutoff, a.cutoff, a.points)
    dl = lam[1] - lam[0]
    eps_b = (lam**2 / 2 - a.mu_bath) / a.T
    n_b, h_b = fermi(eps_b), fermi(-eps_b)

    def density(mu):
        return fermi((lam**2 / 2 - mu) / a.T).sum() * dl / (2 * np.pi)

    lo, hi = -50.0 * a.T, 50.0 * a.T  # bisection for the evolving tube's mu (Gibbs at T by (34))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if density(mid) < a.rho else (lo, mid)
    mu = 0.5 * (lo + hi)
    e = (lam**2 / 2 - mu) / a.T
    C = fermi(e) * fermi(-e) / (2 * np.pi)  # rho_p (1 - n)
    W = C * n_b * h_b / (2 * np.pi) ** 3  # rho_p rho_h rho_p^b rho_h^b, K = 1
    Z = C.sum() * dl
    u = (lam * C).sum() * dl / Z

    def dot(f, g):
        return (f * g * C).sum() * dl

    # Stieltjes recurrence: polynomials orthonormal in (f|g) = int f C g, and their derivatives.
    P, dP = [np.full_like(lam, 1 / np.sqrt(Z))], [np.zeros_like(lam)]
    alpha = dot(lam * P[0], P[0])
    q, dq = (lam - alpha) * P[0], P[0].copy()
    for k in range(1, a.max_basis):
        norm = np.sqrt(dot(q, q))
        P.append(q / norm)
        dP.append(dq / norm)
        alpha, beta = dot(lam * P[k], P[k]), dot(lam * P[k], P[k - 1])
        q = (lam - alpha) * P[k] - beta * P[k - 1]
        dq = P[k] + (lam - alpha) * dP[k] - beta * dP[k - 1]

    print(f"# Tonks-Girardeau tubes, T = {a.T}, mu_bath = {a.mu_bath}, rho = {a.rho} (mu = {mu:.6g}), K = 1")
    print("# N    D_N (F5)        gap (F8)")
    for N in range(2, a.max_basis + 1, 2):
        G = np.array([[(W * dP[i] * dP[j]).sum() * dl for j in range(1, N)] for i in range(1, N)])
        rhs = np.array([((lam - u) * C * P[i]).sum() * dl for i in range(1, N)])
        D = rhs @ np.linalg.solve(G, rhs) / Z  # (63) with d_rho eps_0 = 1 / Z (F7)
        print(f"{N:4d}  {D:14.6g}  {np.linalg.eigvalsh(G).min():14.4g}")


if __name__ == "__main__":
    main()
