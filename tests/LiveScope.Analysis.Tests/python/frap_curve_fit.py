"""Fits the same FRAP recovery with scipy.optimize.curve_fit for comparison with LiveScope's own LM.

Input (argv[1]): first line 'model p0_1 p0_2 ...', then one 't y' per line. Output: parameters, then standard errors."""
import sys
import numpy as np
from scipy.optimize import curve_fit


def one(t, f_inf, a, k):
    return f_inf - a * np.exp(-k * t)


def two(t, f_inf, a1, k1, a2, k2):
    return f_inf - a1 * np.exp(-k1 * t) - a2 * np.exp(-k2 * t)


with open(sys.argv[1]) as f:
    head = f.readline().split()
    data = np.loadtxt(f)
model = one if head[0] == "one" else two
p0 = [float(v) for v in head[1:]]
p, cov = curve_fit(model, data[:, 0], data[:, 1], p0=p0, ftol=1e-15, xtol=1e-15, gtol=1e-15, maxfev=100000)
print(" ".join(repr(v) for v in p))
print(" ".join(repr(v) for v in np.sqrt(np.diag(cov))))
