"""Governance of the roadmap: the owners of every initiative and the checks of the roadmap.

Rules (``check_roadmap``), each stated with its threshold in the result:

* errors (the roadmap must be fixed; ``cxstats roadmap check`` exits 2):
  ``no_accountable`` an initiative without an accountable role; ``several_accountable`` more than
  one (RACI: exactly one A); ``unknown_construct`` / ``unknown_touchpoint`` a target that is not in
  the spec; ``overloaded`` a role accountable for more than ``max_accountable`` initiatives;
* warnings: ``no_co_leads`` (no co-leading roles named), ``low_priority_target`` an initiative
  targeting a construct whose customers' gap to aspiration is small (|gap| < ``small_gap`` scale
  points, or the construct already meets its aspiration) or whose driver importance is low (share
  of R² < ``low_importance``): "this initiative targets a low-importance, small-gap construct".
"""

from __future__ import annotations

from dataclasses import dataclass, field

RACI = ("accountable", "responsible", "consulted", "informed")


@dataclass
class RoadmapCheckResult:
    initiatives: list          # owners per initiative
    roles: list                # per role: counts of A/R/C/I and co-leads
    problems: list             # {severity, rule, initiative, row, column, value, message}
    rules: dict                # the thresholds applied
    source: str = ""
    warnings: list = field(default_factory=list)

    @property
    def errors(self) -> list:
        return [p for p in self.problems if p["severity"] == "error"]

    def to_dict(self) -> dict:
        return {"source": self.source, "rules": self.rules, "initiatives": self.initiatives, "roles": self.roles,
                "problems": self.problems, "n_errors": len(self.errors),
                "n_warnings": sum(p["severity"] == "warning" for p in self.problems), "warnings": self.warnings}

    def owners_frame(self):
        import pandas as pd

        def fmt(roles):
            return "; ".join(r["role"] + (f" ({r['level']})" if r.get("level") else "") for r in roles)

        return pd.DataFrame([{"initiative": i["id"], "name": i["name"], "co_leads": fmt(i["co_leads"]),
                              "accountable": fmt(i["accountable"]), "responsible": fmt(i["responsible"]),
                              "consulted": fmt(i["consulted"]), "informed": fmt(i["informed"]),
                              "constructs": "; ".join(i["constructs"]), "touchpoints": "; ".join(i["touchpoints"])}
                             for i in self.initiatives])

    def tables(self) -> dict:
        import pandas as pd

        out = {"Owners": self.owners_frame(), "Roles": pd.DataFrame(self.roles)}
        cols = ["severity", "rule", "initiative", "row", "column", "value", "message"]
        out["Problems"] = pd.DataFrame(self.problems, columns=cols)
        return out

    def methods(self) -> list:
        r = self.rules
        return [("Roadmap check", "Errors: every initiative has exactly one accountable role (RACI); every "
                 "targeted construct and touchpoint is in the spec; no role is accountable for more than "
                 f"{r['max_accountable']} initiatives. Warnings: no co-leading roles named; a targeted construct "
                 f"whose customers' gap to aspiration is under {r['small_gap']:g} scale points (or already "
                 "meets its aspiration), or whose driver importance (share of R², LMG) is under "
                 f"{r['low_importance']:.0%}, from the gaps and drivers results given.")]


def check_roadmap(initiatives: list, *, constructs, touchpoints, gaps: dict | None = None,
                  importance: dict | None = None, max_accountable: int = 3, small_gap: float = 0.2,
                  low_importance: float = 0.05, source: str = "", names: dict | None = None) -> RoadmapCheckResult:
    """``initiatives``: from :func:`cxstats.io.governance.read_governance`; ``constructs`` and
    ``touchpoints``: the spec's ids; ``gaps``: {construct: customers' mean - aspiration};
    ``importance``: {construct: share of R²}."""
    import difflib

    names = names or {}
    problems = []

    def add(severity, rule, ini, column, value, message):
        problems.append({"severity": severity, "rule": rule, "initiative": ini["id"], "row": ini["row"],
                         "column": column, "value": value, "message": message})

    constructs, touchpoints = list(constructs), list(touchpoints)
    counts: dict[str, dict] = {}
    for ini in initiatives:
        acc = ini["accountable"]
        if not acc:
            add("error", "no_accountable", ini, "accountable", "",
                f"initiative '{ini['id']}' has no accountable role (RACI: exactly one A)")
        elif len({r["role"] for r in acc}) > 1:
            add("error", "several_accountable", ini, "accountable", "; ".join(r["role"] for r in acc),
                f"initiative '{ini['id']}' has {len(acc)} accountable roles; RACI names exactly one")
        if not ini["co_leads"]:
            add("warning", "no_co_leads", ini, "co_leads", "", f"initiative '{ini['id']}' names no co-leading roles")
        for c in ini["constructs"]:
            if c not in constructs:
                close = difflib.get_close_matches(c, constructs, n=1)
                add("error", "unknown_construct", ini, "targets", c,
                    f"initiative '{ini['id']}' targets construct '{c}', which is not in the spec"
                    + (f" (did you mean {close[0]}?)" if close else ""))
        for t in ini["touchpoints"]:
            if t not in touchpoints:
                close = difflib.get_close_matches(t, touchpoints, n=1)
                add("error", "unknown_touchpoint", ini, "touchpoints", t,
                    f"initiative '{ini['id']}' targets touchpoint '{t}', which is not in the spec"
                    + (f" (did you mean {close[0]}?)" if close else ""))
        for c in ini["constructs"]:
            if c not in constructs:
                continue
            gap = (gaps or {}).get(c)
            imp = (importance or {}).get(c)
            small = gap is not None and (abs(gap) < small_gap or gap >= 0)
            low = imp is not None and imp < low_importance
            if small or low:
                what = ("a low-importance, small-gap construct" if small and low else
                        "a small-gap construct" if small else "a low-importance construct")
                detail = ", ".join(x for x in (f"gap to aspiration {gap:+.2f}" if gap is not None else "",
                                                f"importance {imp:.1%} of R²" if imp is not None else "") if x)
                add("warning", "low_priority_target", ini, "targets", c,
                    f"initiative '{ini['id']}' targets {what}: {names.get(c, c)} ({detail})")
        for col in ("co_leads", *RACI):
            for r in ini[col]:
                entry = counts.setdefault(r["role"], {"role": r["role"], "levels": set(), "co_leads": 0,
                                                      "accountable": 0, "responsible": 0, "consulted": 0,
                                                      "informed": 0, "accountable_for": []})
                entry[col] += 1
                if r.get("level"):
                    entry["levels"].add(r["level"])
                if col == "accountable":
                    entry["accountable_for"].append(ini["id"])
    roles = []
    for role in sorted(counts):
        e = counts[role]
        if e["accountable"] > max_accountable:
            first = next(i for i in initiatives if i["id"] == e["accountable_for"][max_accountable])
            add("error", "overloaded", first, "accountable", role,
                f"role '{role}' is accountable for {e['accountable']} initiatives "
                f"({', '.join(e['accountable_for'])}); at most {max_accountable}")
        roles.append({**{k: v for k, v in e.items() if k not in ("levels", "accountable_for")},
                      "levels": "; ".join(sorted(e["levels"])), "accountable_for": "; ".join(e["accountable_for"])})
    problems.sort(key=lambda p: (p["severity"] != "error", p["row"], p["rule"]))
    warnings = [("roadmap error: " if p["severity"] == "error" else "") + p["message"] for p in problems]
    return RoadmapCheckResult(initiatives, roles, problems, {"max_accountable": max_accountable,
                                                             "small_gap": small_gap,
                                                             "low_importance": low_importance},
                              source=source, warnings=warnings)


def gaps_by_construct(doc: dict) -> dict:
    """{construct: customers' mean - aspiration} from a gaps result's JSON (``constructs`` rows)."""
    out = {}
    for row in doc.get("constructs") or []:
        g = row.get("gap_to_aspiration")
        if isinstance(g, dict):
            g = g.get("customer", next(iter(g.values()), None))
        if isinstance(g, (int, float)):
            out[row.get("name")] = float(g)
    return out


def importance_by_construct(doc: dict) -> dict:
    """{driver: share of R²} from a drivers result's JSON (``lmg_share``, else ``rw_share``)."""
    out = {}
    for row in doc.get("drivers") or []:
        v = row.get("lmg_share", row.get("rw_share"))
        if isinstance(v, (int, float)):
            out[row.get("driver")] = float(v)
    return out
