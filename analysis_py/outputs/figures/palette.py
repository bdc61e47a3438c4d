"""Colours and markers shared by the report's figures (Okabe-Ito: readable by colour-blind readers and in grey)."""
from __future__ import annotations

SITE_COLOURS = {  # dim_target_lesions.site_group
    "lung": "#E69F00", "lymph_node": "#0072B2", "liver": "#009E73", "head_neck": "#D55E00",
    "adrenal": "#CC79A7", "bone": "#56B4E9", "other": "#7F7F7F",
}
SITE_LABELS = {"lymph_node": "lymph node", "head_neck": "head and neck"}
RESPONSE_COLOURS = {"CR": "#1B7837", "PR": "#7FBF7B", "SD": "#BABABA", "PD": "#D6604D", "NE": "#FFFFFF"}
DR_STYLES = {  # DR type: (colour, marker)
    "DR1": ("#762A83", "D"), "DR2": ("#B35806", "s"), "DR3": ("#2166AC", "^"),
}


def site_colour(site_group: str) -> str:
    return SITE_COLOURS.get(site_group, SITE_COLOURS["other"])


def site_label(site_group: str) -> str:
    return SITE_LABELS.get(site_group, str(site_group))
