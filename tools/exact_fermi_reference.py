#!/usr/bin/env python3
"""An independent numpy implementation of the `exact` fermion scheme (SPEC section 2) for a
homogeneous gas (profile = "uniform", velocities = "thermal", bath.kind = "bragg"), written
from the SPEC, not from the engine: geometric attempt gaps, a target class from the discrete
bath, the comoving Pauli cell floor((x - lambda' t_{s+1}) / ell), the table as at the start of
the step, the lowest particle index winning a contested free cell. It reads the lattice, bath
and times of a vswap run file and prints its e(t) beside the run's and beside the lattice
kinetic equation (39) solved here (RK4) from its own t = 0 histogram.

  /usr/bin/python3 tools/exact_fermi_reference.py RUN.h5 REALIZATIONS SEED [--stratified]

--stratified starts with exactly N/M particles in every spatial cell (sub-Poisson counts)
instead of i.i.d. positions: the deviation from (39) then changes sign at early times
(docs/VALIDATION.md section 7).
"""
import numpy as np, h5py, sys
f = sys.argv[1]; Rtot = int(sys.argv[2]); seed = int(sys.argv[3])
h = h5py.File(f, 'r')
lam = h['velocity/lambda'][()]; K = len(lam); dl = lam[1]-lam[0]
import tomllib
c = h.attrs['config']; cfg = tomllib.loads(c.decode() if isinstance(c, bytes) else c)
L = cfg['system']['length']; M = cfg['numerics']['cells']; N = cfg['system']['particles']
ell = L/M; T0 = cfg['system']['temperature']; dt = cfg['numerics']['dt']
b = cfg['bath']; rate = cfg['collisions']['gamma']*b['density']
P = np.exp(-(lam+b['lambda_B'])**2/b['sigma']**2) + b['b']*np.exp(-(lam-b['lambda_B'])**2/b['sigma']**2)
P /= P.sum(); cP = np.cumsum(P)
times = h['times'][()]; steps = np.round(times/dt).astype(int)
jlo = int(round(lam[0]/dl))
rng = np.random.default_rng(seed)
p_att = 1-np.exp(-rate*dt)
E = []; H0 = []
Rb = 250; STRAT = '--stratified' in sys.argv[4:]
for batch in range(Rtot//Rb):
    x = (np.tile(np.repeat(np.arange(M), N//M), (Rb,1)) + rng.uniform(0,1,(Rb,N)))*ell if STRAT else rng.uniform(0, L, (Rb, N))
    cell = np.minimum((x/ell).astype(int), M-1)
    cls = -np.ones((Rb, N), int)
    occ = -np.ones((Rb, K, M), int)
    ar = np.arange(Rb)
    for i in range(N):
        todo = ar.copy()
        for it in range(1000):
            v = rng.normal(0, np.sqrt(T0), len(todo))
            k = np.floor(v/dl+0.5).astype(int) - jlo
            good = (k >= 0) & (k < K)
            kk = np.where(good, k, 0)
            free = good & (occ[todo, kk, cell[todo, i]] == -1)
            occ[todo[free], kk[free], cell[todo[free], i]] = i
            cls[todo[free], i] = kk[free]
            todo = todo[~free]
            if len(todo) == 0: break
        assert len(todo) == 0
    y = x.copy()
    nxt = rng.geometric(p_att, (Rb, N)) - 1
    e_b = []
    s = 0
    for o, S in enumerate(steps):
        while s < S:
            r_i, i_i = np.nonzero(nxt == s)
            if len(r_i):
                kp = np.searchsorted(cP, rng.uniform(0, 1, len(r_i)))
                kp = np.minimum(kp, K-1)
                t1 = (s+1)*dt
                xx = y[r_i, i_i] + lam[cls[r_i, i_i]]*t1
                yn = np.mod(xx - lam[kp]*t1, L)
                cn = np.minimum((yn/ell).astype(int), M-1)
                ok = occ[r_i, kp, cn] == -1
                key = (r_i*K + kp)*M + cn
                idx = np.nonzero(ok)[0]
                # winners: lowest particle index per key (nonzero order is r then i increasing)
                _, first = np.unique(key[idx], return_index=True)
                win = idx[first]
                rw, iw = r_i[win], i_i[win]
                occ[rw, cls[rw, iw], cell[rw, iw]] = -1
                occ[rw, kp[win], cn[win]] = iw
                cls[rw, iw] = kp[win]; cell[rw, iw] = cn[win]; y[rw, iw] = yn[win]
                nxt[r_i, i_i] = s + rng.geometric(p_att, len(r_i))
            s += 1
        e_b.append((0.5*lam[cls]**2).mean(axis=1))
        if o==0: H0.append(np.bincount(cls.ravel(), minlength=K))
    E.append(np.array(e_b).T)
E = np.concatenate(E)
em = E.mean(0); es = E.std(0, ddof=1)/np.sqrt(len(E))
vm = h['energy/mean'][()]; vs = h['energy/stderr'][()]; th = h['theory/energy'][()]
for t, a, sa, c, sc, tt in zip(times, em, es, vm, vs, th):
    print(f"t={t:6.3g} indep {a:.4f}+-{sa:.4f}  vswap {c:.4f}+-{sc:.4f}  z(v-i)={(c-a)/np.hypot(sa,sc):+.2f}  (39) {tt:.4f} z(i-39)={(a-tt)/sa:+.2f}")

# own (39) on the lattice from this run's t0 histogram: dN_k/dt = r[P_k(1-n_k)N - N_k sum_j P_j(1-n_j)], n_k = N_k/M
Nk = np.sum(H0,0)/Rtot*1.0
def f(Nk):
    n = Nk/M
    return rate*(P*(1-n)*Nk.sum() - Nk*np.sum(P*(1-n)))
h_=0.001; tcur=0; own=[]
for t in times:
    while tcur < t-1e-12:
        k1=f(Nk);k2=f(Nk+h_/2*k1);k3=f(Nk+h_/2*k2);k4=f(Nk+h_*k3);Nk=Nk+h_/6*(k1+2*k2+2*k3+k4);tcur+=h_
    own.append((0.5*lam**2*Nk).sum()/Nk.sum())
for t,a,sa,o in zip(times,em,es,own): print(f"t={t:6.3g} indep {a:.4f}+-{sa:.4f} own(39) {o:.4f} z={(a-o)/sa:+.2f}")
