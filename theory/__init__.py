"""autocorr-ssm theory: sympy derivations of the SPEC results, lambdified for numerics.

Importing this package never imports torch or matplotlib.
"""

from .timescale import *
from .memory import *
from .gram import *
