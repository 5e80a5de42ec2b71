"""Plan steps, one module each, discovered by name.

A step module defines:

* ``NAME``: the step name used in plans (``step: describe``);
* ``WORKBOOK``: the default workbook key its sheets go to (``main``, ``measurement``,
  ``gaps``, ``drivers``, ``roi``...); a plan step may override it with ``workbook:``;
* ``run(ctx, options) -> result``: ``ctx`` is a :class:`cxstats.plan.context.PlanContext`,
  ``options`` the step's keys from the plan (use ``ctx.check_options``);
* optionally ``sheets(builder, result)`` to lay out its sheets (default: one per table);
* optionally ``SHEET_PRIORITY`` (default 100): steps with a lower number lay out their
  sheets first in a shared workbook (the ``roi`` step leads the finance workbook).

Adding a step is adding a module here.
"""
