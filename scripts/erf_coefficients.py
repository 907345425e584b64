"""Compute the polynomial tables of autograd/ops/erf.py (run: python scripts/erf_coefficients.py).

erf has no numpy function. chalkgrad evaluates it with polynomials fitted here once, in 60-digit
arithmetic (mpmath): the Chebyshev interpolant of a smooth function on each piece, converted
exactly to powers of t in [-1, 1] so that numpy evaluates it with Horner's rule.

    |x| < 1:      erf(x) = x * P(2x^2 - 1),   P interpolates erf(x)/x as a function of x^2
    a <= |x| < b: erf(x) = 1 - exp(-x^2) * Q(t),  t = (2|x| - a - b) / (b - a),
                  Q interpolates erfcx(x) = exp(x^2) erfc(x), which is smooth and near 1/(x sqrt(pi))
    |x| >= 6:     erf(x) = sign(x)  (erfc(6) = 2e-17 is below half an ulp of 1)
"""
import mpmath

mpmath.mp.dps = 60
SMALL_DEGREE = 13
PIECES = ((1, 1.75, 14), (1.75, 2.75, 14), (2.75, 4, 14), (4, 6, 16))


def power_coefficients(fn, a, b, degree):
    """Coefficients c_0..c_d (of t^0..t^d) of the Chebyshev interpolant of fn on [a, b]."""
    n = degree + 1
    angles = [mpmath.pi * (k + mpmath.mpf(1) / 2) / n for k in range(n)]
    values = [fn((a + b) / 2 + (b - a) / 2 * mpmath.cos(angle)) for angle in angles]
    cheb = [sum(v * mpmath.cos(j * angle) for v, angle in zip(values, angles)) * (2 if j else 1) / n for j in range(n)]
    basis = [[mpmath.mpf(1)], [mpmath.mpf(0), mpmath.mpf(1)]]  # T_0, T_1 in powers of t
    while len(basis) < n:
        longer = [mpmath.mpf(0)] + [2 * c for c in basis[-1]]
        for i, c in enumerate(basis[-2]):
            longer[i] -= c
        basis.append(longer)
    power = [mpmath.mpf(0)] * n
    for c_j, t_j in zip(cheb, basis):
        for i, c in enumerate(t_j):
            power[i] += c_j * c
    return [float(p) for p in power]


def erf_over_x(u):
    x = mpmath.sqrt(u)
    return mpmath.erf(x) / x if x else 2 / mpmath.sqrt(mpmath.pi)


def erfcx(x):
    return mpmath.erfc(x) * mpmath.exp(x * x)


if __name__ == "__main__":
    print("SMALL = " + repr(tuple(power_coefficients(erf_over_x, mpmath.mpf(0), mpmath.mpf(1), SMALL_DEGREE))))
    print("PIECES = (")
    for a, b, degree in PIECES:
        coefficients = power_coefficients(erfcx, mpmath.mpf(a), mpmath.mpf(b), degree)
        print(f"    ({a}, {b}, {tuple(coefficients)!r}),")
    print(")")
