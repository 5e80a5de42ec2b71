"""cxstats: customer-experience measurement research, checked against R.

Layers: ``spec`` (study spec), ``io`` (survey readers), ``stats`` (pure
computations), ``report`` (JSON and workbook writers), ``plan`` (analysis
plans) and ``cli`` (the command line). Heavy libraries are imported inside
the functions that need them so that ``cxstats --help`` stays fast.
"""

__version__ = "0.1.0"
