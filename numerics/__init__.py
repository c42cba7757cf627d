"""autocorr-ssm numerics: numpy/scipy computations of the SPEC quantities (float64).

Pure numpy/scipy: importing this package never imports torch or matplotlib.
Every public function validates its inputs at entry (the contract of :mod:`numerics._checks`):
a violated rule raises :class:`InputError` (a ValueError) or :class:`InputTypeError` (a
TypeError) naming the parameter, the value and the rule; a legal but degenerate input (e.g.
duplicate modes: singular Gram matrix) computes with a :class:`DegenerateInputWarning`.
The torch kernel lives in :mod:`numerics.torch_kernel`, training in :mod:`numerics.training`.
"""

from ._checks import DegenerateInputWarning, InputError, InputTypeError  # the input contract
from .ssm import *
from .init import *
from .legs import *
from .autocorrelation import *
from .memory import *
from .gram import *
from .recommend import *
