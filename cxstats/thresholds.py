"""The published cut-offs the analyses judge results by, in one place.

The statistics (their notes, warnings and verdicts: ``cxstats.stats``) and the deliverables
(the colours and legends of ``cxstats.report.verdicts``) read the same numbers here, so that a
cell never disagrees with a warning. Plain numbers only: no imports, no computation.
"""

from __future__ import annotations

# reliability and validity of a measurement model
CR_MIN = 0.70          # composite reliability (and alpha, omega): Hair et al. 2019; Nunnally & Bernstein 1994
AVE_MIN = 0.50         # average variance extracted: Fornell & Larcker 1981
HTMT_MAX = 0.85        # discriminant validity doubtful above (conservative): Henseler, Ringle & Sarstedt 2015
HTMT_LIBERAL = 0.90    # the liberal HTMT cut-off for conceptually close constructs (Henseler et al. 2015)
PLS_LOADING_MIN = 0.708  # PLS-SEM indicator loading (indicator reliability .50): Hair et al. 2019
VIF_MAX = 5.0          # collinearity among formative indicators / predictors: Hair et al. 2019 (PLS-SEM)

# sampling adequacy (Kaiser 1974: .60s "mediocre", .50s "miserable", below .50 "unacceptable"):
# the overall KMO warns below KMO_MIN, an item's below KMO_ITEM_MIN
KMO_MIN, KMO_ITEM_MIN = 0.6, 0.5

# global fit (Hu & Bentler 1999; the acceptable band as commonly used, e.g. Marsh, Hau & Wen 2004):
# CFI/TLI minimums, RMSEA/SRMR maximums
GOOD_FIT = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}
ACCEPTABLE_FIT = {"cfi": 0.90, "rmsea": 0.08, "srmr": 0.08}

# measurement invariance: a step fails when ΔCFI <= DCFI (Cheung & Rensvold 2002), or with the
# joint rule also ΔRMSEA >= DRMSEA (Chen 2007); the configural model must fit acceptably first
DCFI, DRMSEA = -0.010, 0.015
CONFIGURAL_CFI, CONFIGURAL_RMSEA, CONFIGURAL_SRMR = 0.90, 0.08, 0.08

# rater agreement within a unit (maturity self-assessment): rwg(j) from .70 (LeBreton & Senter 2008)
RWG_MIN = 0.70
