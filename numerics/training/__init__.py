"""Trained torch SSMs that check the theory (SPEC §3, §4.4, §5): model, tasks, training, sweeps.

Imports torch; never imported by ``import numerics`` — use
``from numerics.training import train, RunConfig, ...`` explicitly.
"""

from .model import *
from .tasks import *
from .tradeoff import *
from .train import *
from .sweep import *

# registers the task kind "ucr" (UCRTask), so sweeps and result files of that kind load
# without importing numerics.training.ucr by hand
from . import ucr as _ucr
