"""The error function erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, in numpy.

numpy has no erf, and calling math.erf element by element is far slower than np.exp. Here
erf is a handful of polynomials evaluated with Horner's rule (a few times the time of np.exp; the
figures are in benchmarks/README.md, "Figures behind the code"), accurate to 2 units in the last
place of float64 (tests/test_ops_more.py checks it against mpmath):

    |x| < 1:      erf(x) = x * P(2x^2 - 1)                 P interpolates erf(x)/x in x^2
    a <= |x| < b: erf(x) = 1 - exp(-x^2) * Q_ab(t),        t = (2|x| - a - b) / (b - a),
                  Q_ab interpolates erfcx(x) = exp(x^2) erfc(x), a smooth function near 1/(x sqrt(pi))
    |x| >= 6:     erf(x) = sign(x)                         (erfc(6) is below half an ulp of 1)

The coefficients are Chebyshev interpolants computed in 60-digit arithmetic by
scripts/erf_coefficients.py and converted exactly to powers of t.
"""
import numpy as np

SMALL = (
    0.9654687386698673, -0.1405360890227171, 0.019852496688983708, -0.0022854855611440673,
    0.00021751715604160108, -1.7537169441492004e-05, 1.2233827383524026e-06, -7.511569160710623e-08,
    4.115800597661665e-09, -2.03524938661036e-10, 9.167606748998164e-12, -3.7910973708931526e-13,
    1.4548169783352384e-14, -5.16472878942302e-16,
)
PIECES = (
    (1, 1.75, (
        0.3432958898621254, -0.06911830124050045, 0.012636860434728357, -0.0021359199668578976,
        0.00033786238286087313, -5.046138168309861e-05, 7.164249223217206e-06, -9.720187390521392e-07,
        1.26568832525822e-07, -1.5873051382507194e-08, 1.9228696479182977e-09, -2.2538674859762927e-10,
        2.5662488915675593e-11, -2.966678273787335e-12, 3.192066666743833e-13,
    )),
    (1.75, 2.75, (
        0.23108725873039188, -0.04424325140437464, 0.007998156852676573, -0.0013752575945525515,
        0.00022618720964709, -3.57415151406616e-05, 5.4458659725927245e-06, -8.025083206401672e-07,
        1.146611076274039e-07, -1.591882888249411e-08, 2.1514249474855107e-09, -2.831125625769467e-10,
        3.643536927738509e-11, -4.853907164575273e-12, 5.964632547595207e-13,
    )),
    (2.75, 4, (
        0.1606310681265444, -0.02757466077583619, 0.004581210912902026, -0.0007385733974374467,
        0.0001158036263146994, -1.769278366193188e-05, 2.6383586767607957e-06, -3.8455872224923835e-07,
        5.485752834098299e-08, -7.667546279763199e-09, 1.051095656461674e-09, -1.4121624792269763e-10,
        1.867331702616751e-11, -2.5832949044516566e-12, 3.298285173265627e-13,
    )),
    (4, 6, (
        0.11070463773306863, -0.021332789764826308, 0.004040688908937075, -0.0007528968134274429,
        0.00013810242090033954, -2.4953883568128706e-05, 4.4443343492985714e-06, -7.806319626987718e-07,
        1.3529365302452254e-07, -2.3147442750962905e-08, 3.911235575229903e-09, -6.530435800013467e-10,
        1.0775422677534866e-10, -1.7487307640493828e-11, 2.8223551375217665e-12, -5.033015540266547e-13,
        7.935106373004748e-14,
    )),
)


def _horner(t: np.ndarray, coefficients) -> np.ndarray:
    """c_0 + c_1 t + ... + c_d t^d, in one new array (large temporaries cost page faults)."""
    out = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:
        out *= t
        out += c
    return out


def erf(x: np.ndarray) -> np.ndarray:
    """erf of every element, in x's float dtype (float32 is computed in float64 and rounded once).
    Each piece's elements are picked by position (take/put: several times faster than boolean
    masks, benchmarks/README.md), and the arithmetic runs in place where it can."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    size = np.absolute(x, dtype=np.float64).ravel()
    out = np.ones_like(size)  # |x| >= 6 (and inf)
    picked = np.flatnonzero(size < 1)
    s = size.take(picked)
    t = s * s
    t *= 2
    t -= 1  # 2 x^2 - 1, in [-1, 1)
    value = _horner(t, SMALL)
    value *= s
    out.put(picked, value)
    for a, b, coefficients in PIECES:
        picked = np.flatnonzero((size >= a) & (size < b))
        s = size.take(picked)
        t = s * (2 / (b - a))
        t -= (a + b) / (b - a)  # (2|x| - a - b) / (b - a), in [-1, 1)
        value = _horner(t, coefficients)
        np.multiply(s, s, out=t)
        np.negative(t, out=t)
        value *= np.exp(t, out=t)
        np.subtract(1, value, out=value)  # 1 - exp(-x^2) erfcx(x)
        out.put(picked, value)
    out[np.isnan(size)] = np.nan
    return np.copysign(out.reshape(x.shape), x, out=out.reshape(x.shape)).astype(dtype, copy=False)
