"""Latent-variable engine: multi-group ML estimation of models written in lavaan syntax.

Layers (each usable on its own):

* :func:`cxstats.stats.sem.syntax.parse_model` (lavaan model syntax) -> ParsedModel
* :func:`build_partable` (lavaan's cfa()/sem() defaults, equality constraints) -> ParTable
* :class:`CompiledModel` (RAM matrices, F_ML, analytic gradient and expected information,
  Fisher scoring) bound to :class:`SampleStats`
* :func:`fit_moments` / :func:`fit_sem` -> :class:`SemFit` (estimates, SEs, standardized
  solutions, R², fit measures, defined parameters, warnings)

Fast refits (bootstrap): build the ParTable once, then for each resample
``fit_moments(pt, SampleStats.from_moments(...), start=fit.theta, check_identification=False)``
or, cheaper still, ``m = CompiledModel(pt); m.set_sample(stats); m.optimize(start)``.

Also here: :mod:`cxstats.stats.sem.fiml` (full-information ML with missing answers) and
:mod:`cxstats.stats.sem.diagnostics` (caveats shared by the CFA, invariance and SEM analyses:
weak indicators, cases per parameter, the FIML methods text).
"""

from cxstats.stats.sem.engine import CompiledModel
from cxstats.stats.sem.fiml import FimlData, FimlModel, fiml_data
from cxstats.stats.sem.fit import (ESTIMATORS, MISSING_METHODS, SemFit, fit_fiml, fit_moments, fit_sem, has_missing,
                                     missing_note, unknown_variable_message)
from cxstats.stats.sem.partable import GROUP_EQUAL_KINDS, ModelOptions, ParTable, Row, build_partable
from cxstats.stats.sem.samplestats import SampleStats, sample_stats

__all__ = ["ESTIMATORS", "CompiledModel", "FimlData", "FimlModel", "fiml_data", "fit_fiml", "has_missing", "missing_note", "MISSING_METHODS",
           "SemFit", "fit_moments", "fit_sem", "ModelOptions", "ParTable", "Row",
           "build_partable", "SampleStats", "sample_stats", "GROUP_EQUAL_KINDS", "unknown_variable_message"]
