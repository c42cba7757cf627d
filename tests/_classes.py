"""The autocorrelation classes the tests parametrize over (SPEC §2.3), in one place.

``SPEC_CLASSES`` is the §2.3 table's set with the parameters the figures use; test modules
that need more cases (negative φ, other exponents, a non-integer period) extend it.
Each entry is ``(name, params)`` for ``numerics.AUTOCORRELATIONS[name](L, **params)``.
"""

from __future__ import annotations

SPEC_CLASSES = [
    ("white", {}),
    ("ar1", {"phi": 0.9}),
    ("power_law", {"alpha": 1.5}),
    ("power_law", {"alpha": 1.0}),
    ("power_law", {"alpha": 0.5}),
    ("constant", {}),
    ("periodic", {"period": 16.0}),
]
