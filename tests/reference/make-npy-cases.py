#!/usr/bin/python3
"""Writes tests/data/npy/*.npy with NumPy itself: every dtype the loader
reads, both byte orders, C and Fortran order, format versions 1 to 3,
1-D, 2-D and 3-D arrays. The values are those of expected_value() in
tests/test-loaders.c: v(i, j) = (i * cols + j) - 5, with the 3-D arrays
as (N, h, w) stacks whose flattened rows follow the same rule.

Run from the repository: /usr/bin/python3 tests/reference/make-npy-cases.py
"""
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "npy")


def base(shape):
    return (np.arange(int(np.prod(shape))) - 5).reshape(shape)


def save(name, array, version=None):
    with open(os.path.join(OUT, name), "wb") as f:
        npformat.write_array(f, array, version=version)


os.makedirs(OUT, exist_ok=True)
for kind in ["f2", "f4", "f8", "i1", "i2", "i4", "i8"]:
    for order in "<>":
        save("%s%s-3x4.npy" % ({"<": "le-", ">": "be-"}[order], kind),
             base((3, 4)).astype(order + kind))
for kind in ["u1", "u2", "u4", "u8"]:
    for order in "<>":
        save("%s%s-3x4.npy" % ({"<": "le-", ">": "be-"}[order], kind),
             (base((3, 4)) + 5).astype(order + kind))
save("bool-3x4.npy", (base((3, 4)) % 3 == 0))
save("fortran-3x4.npy", np.asfortranarray(base((3, 4)).astype("<f8")))
save("v2-3x4.npy", base((3, 4)).astype("<f8"), version=(2, 0))
save("v3-3x4.npy", base((3, 4)).astype("<f8"), version=(3, 0))
save("1d-7.npy", base((7,)).astype("<f8"))
save("3d-2x3x4.npy", base((2, 3, 4)).astype("<f8"))
save("3d-fortran-2x3x4.npy", np.asfortranarray(base((2, 3, 4)).astype("<f8")))
save("4d-2x2x2x2.npy", base((2, 2, 2, 2)).astype("<f8"))
save("complex-2x2.npy", base((2, 2)).astype("<c16"))
nan = base((3, 4)).astype("<f8")
nan[1, 2] = np.nan
save("nan-3x4.npy", nan)
