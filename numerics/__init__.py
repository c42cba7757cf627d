"""autocorr-ssm numerics: numpy/scipy computations of the SPEC quantities (float64).

Pure numpy/scipy: importing this package never imports torch or matplotlib.
The torch kernel lives in :mod:`numerics.torch_kernel`, training in :mod:`numerics.training`.
"""

from .ssm import *
from .init import *
from .legs import *
from .autocorrelation import *
from .memory import *
from .gram import *
from .recommend import *
