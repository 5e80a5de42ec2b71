"""PLS-SEM (partial least squares path modelling) and consistent PLS, as seminr, with the
importance-performance map (IPMA) of SmartPLS.

* :mod:`.model`: the model from lavaan-like syntax (``=~`` reflective, ``<~`` composite, ``~`` paths);
* :mod:`.estimate`: Lohmöller's algorithm (path / factorial / centroid schemes), PLSc;
* :mod:`.quality`: alpha, rhoC, AVE, rho_A, HTMT, VIF, f²;
* :mod:`.ipma`: importance (unstandardized total effects) and performance (0-100);
* :mod:`.analysis`: :func:`analyze_pls` (missing values, bootstrap percentile / BCa) ->
  :class:`.result.PlsResult`.
"""

from cxstats.stats.pls.analysis import analyze_pls
from cxstats.stats.pls.model import PlsModel, parse_pls_model
from cxstats.stats.pls.result import PlsResult

__all__ = ["analyze_pls", "parse_pls_model", "PlsModel", "PlsResult"]
