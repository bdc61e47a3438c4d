"""The audit's agreement tables (`lesionwise audit`): how often the responses recorded in SDTM
RS agree with the ones lesionwise recomputed (mart fct_response_audit), and why not."""
from __future__ import annotations

import pandas as pd

AUDIT_COMPONENTS = {  # component -> (agree column, reason column) of fct_response_audit
    "target": ("target_agrees", "target_reason"),
    "non_target": ("non_target_agrees", "non_target_reason"),
    "new_lesions": ("new_lesions_agree", "new_lesions_reason"),
    "overall": ("overall_agrees", "overall_reason"),
    "irecist": ("irecist_agrees", "irecist_reason"),
    "all": ("agrees", "reason"),
}
WHEN_RECORDED = ("irecist",)  # components reported only when some visit recorded them


def audited_components(audit: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """AUDIT_COMPONENTS, without those of WHEN_RECORDED that no visit recorded."""
    return {component: columns for component, columns in AUDIT_COMPONENTS.items()
            if component not in WHEN_RECORDED or audit[columns[0]].notna().any()}


def audit_agreement(audit: pd.DataFrame) -> pd.DataFrame:
    """Per response (and all together): visits with a recorded response, how many were
    compared (recorded), agree, the percentage of the compared, and the disagreements
    without a named reason (`other`)."""
    rows = []
    for component, (agree, reason) in audited_components(audit).items():
        compared = audit[agree].dropna().astype(bool)
        rows.append(dict(response=component, n_visits=len(audit), n_compared=len(compared),
                         n_agree=int(compared.sum()),
                         pct_agree=round(100 * compared.mean(), 1) if len(compared) else None,
                         n_disagree=int((~compared).sum()),
                         n_unexplained=int((audit[reason] == "other").sum())))
    return pd.DataFrame(rows)


def audit_reasons(audit: pd.DataFrame) -> pd.DataFrame:
    """Disagreements by reason (rows) and response (columns)."""
    counts = {component: audit[reason].value_counts()
              for component, (_, reason) in audited_components(audit).items()}
    table = pd.DataFrame(counts).fillna(0).astype(int)
    table.index.name = "reason"
    return table.sort_values("all", ascending=False).reset_index()
