"""Analysis plans: a YAML file naming data, spec, steps and outputs (``cxstats run``)."""
