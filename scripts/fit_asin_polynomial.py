#!/usr/bin/python3
"""Fits the arcsine polynomial of the simd haversine kernel (src/simd_distance.cpp).

The kernel computes the central angle from a chord c (or the chord to the
antipode) as theta = 2*asin(c/2) = c*(1 + t*P(t)) with t = c*c/4, so P must
approximate g(t) = (asin(sqrt(t))/sqrt(t) - 1)/t on [0, T]. What matters is
the error of theta itself, 2*t^1.5*(P(t) - g(t)) radians: this script finds
the polynomial of the given degree that minimizes the largest such error
(Remez exchange on the weighted error, 60 significant digits with mpmath),
rounds its coefficients to doubles, and prints them with the largest error
of theta those doubles give (rounding of the evaluation not included).

Usage: /usr/bin/python3 scripts/fit_asin_polynomial.py DEGREE [T]
       (Debian's python3-mpmath; the kernel uses DEGREE 11? see the comment
       above its coefficients for the exact command)
"""
import sys

import mpmath
from mpmath import mp, mpf

mp.dps = 60


def g(t):
    """(asin(sqrt t)/sqrt t - 1)/t, continuous at 0 where it is 1/6."""
    if t == 0:
        return mpf(1) / 6
    r = mpmath.sqrt(t)
    return (mpmath.asin(r) / r - 1) / t


def weight(t):
    """Relative error of theta = 2*asin(sqrt t) per unit error of P at t."""
    if t == 0:
        return mpf(0)
    r = mpmath.sqrt(t)
    return t * r / mpmath.asin(r)


def evaluate(coefficients, t):
    result = mpf(0)
    for c in reversed(coefficients):
        result = result * t + c
    return result


def error(coefficients, t):
    return weight(t) * (evaluate(coefficients, t) - g(t))


def solve_reference(points, degree):
    """Coefficients and levelled error E with weight*(P - g) = (-1)^i E at the points."""
    size = degree + 2
    matrix = mpmath.matrix(size, size)
    rhs = mpmath.matrix(size, 1)
    for i, t in enumerate(points):
        for j in range(degree + 1):
            matrix[i, j] = t**j
        matrix[i, degree + 1] = (-1) ** i / weight(t)
        rhs[i] = g(t)
    solution = mpmath.lu_solve(matrix, rhs)
    return [solution[j] for j in range(degree + 1)], solution[degree + 1]


def alternating_extrema(coefficients, upper, count):
    """The `count` extrema of the error, alternating in sign, from a dense grid."""
    grid_size = 6000
    grid = [upper * (1 - mpmath.cos(mpmath.pi * k / grid_size)) / 2 for k in range(1, grid_size + 1)]
    values = [error(coefficients, t) for t in grid]
    extrema = []  # (t, value) of the largest |error| in each run of equal sign
    for t, value in zip(grid, values):
        if extrema and (value >= 0) == (extrema[-1][1] >= 0):
            if abs(value) > abs(extrema[-1][1]):
                extrema[-1] = (t, value)
        else:
            extrema.append((t, value))
    # Keep `count` consecutive extrema with the largest smallest magnitude.
    while len(extrema) > count:
        if abs(extrema[0][1]) < abs(extrema[-1][1]):
            extrema.pop(0)
        else:
            extrema.pop()
    return [t for t, _ in extrema], max(abs(v) for v in values)


def fit(degree, upper):
    count = degree + 2
    points = [upper * (1 - mpmath.cos(mpmath.pi * (k + 0.5) / count)) / 2 for k in range(count)]
    coefficients = []
    for _ in range(30):
        coefficients, levelled = solve_reference(points, degree)
        points, largest = alternating_extrema(coefficients, upper, count)
        if largest - abs(levelled) < abs(levelled) * mpf("1e-6"):
            break
    return coefficients


def main():
    degree = int(sys.argv[1])
    upper = mpf(sys.argv[2]) if len(sys.argv) > 2 else mpf("0.25")
    coefficients = [float(c) for c in fit(degree, upper)]
    grid = [upper * k / 20000 for k in range(1, 20001)]
    worst = max(abs(error([mpf(c) for c in coefficients], t)) for t in grid)
    print(f"// degree {degree} on t in [0, {mpmath.nstr(upper, 6)}]: "
          f"largest relative error of theta {mpmath.nstr(worst, 3)}")
    for index, c in enumerate(coefficients):
        print(f"constexpr double c{index} = {c!r};")


if __name__ == "__main__":
    main()
