"""Patient attributes of the seed study (Table 1 marginals) shared by the demo and the generator."""
from __future__ import annotations

import numpy as np

PRIMARY_TUMORS: dict[str, int] = {  # Table 1, tumour location (100 eligible patients)
    "Head and neck": 43, "Lung": 16, "Adrenocortical": 9, "Breast": 8, "Cervical": 6,
    "Urothelial": 5, "Endometrial": 3, "Neuroendocrine": 2, "Ovarian": 2, "Pancreas": 1,
    "Stomach": 1, "Renal": 1, "Penile": 1, "Neuroblastoma": 1,
    "Myoepithelial tumor of the maxillary gland": 1,
}
PRIOR_LINES: dict[int, int] = {0: 15, 1: 47, 2: 20, 3: 10, 4: 5, 5: 3}  # Table 1: 0, 1, 2, >= 3
REGIMENS: dict[str, int] = {"anti-PD-1": 70, "anti-PD-L1": 27, "anti-PD-1 + anti-CTLA-4": 3}
N_TRIALS = 19
AGE_MEDIAN, AGE_MIN, AGE_MAX = 59, 21, 90
MONTHS_TO_ICI_MEDIAN, MONTHS_TO_ICI_MIN, MONTHS_TO_ICI_MAX = 12, 1, 119
MALE_SHARE = 0.59

# Organ affinity of metastases by primary tumour: weights over the TL site groups.
SITE_GROUPS = ("lung", "lymph_node", "liver", "head_neck", "adrenal", "other")
_DEFAULT_AFFINITY = (3, 3, 2, 0.2, 0.5, 2)
SITE_AFFINITY: dict[str, tuple[float, ...]] = {
    "Head and neck": (4, 4, 0.5, 5, 0.2, 0.6),
    "Lung": (4, 3, 1.5, 0.1, 2, 1.2),
    "Adrenocortical": (3, 1, 3, 0.1, 4, 1.5),
    "Breast": (2, 3, 3, 0.1, 0.5, 2),
    "Cervical": (2, 3, 1, 0.2, 0.3, 2),
    "Urothelial": (2, 3, 2, 0.1, 0.5, 1.5),
}


def affinity(primary: str) -> np.ndarray:
    """Relative weights of the six TL site groups for a patient with this primary tumour."""
    return np.array(SITE_AFFINITY.get(primary, _DEFAULT_AFFINITY), dtype=float)


def exact_shuffle(counts: dict, rng: np.random.Generator) -> list:
    """The keys of `counts`, each repeated its count, in random order."""
    values = [key for key, count in counts.items() for _ in range(count)]
    return [values[i] for i in rng.permutation(len(values))]


def draw_primaries(n: int, rng: np.random.Generator) -> np.ndarray:
    """Primary tumours drawn with the Table 1 proportions."""
    names = list(PRIMARY_TUMORS)
    weights = np.array(list(PRIMARY_TUMORS.values()), dtype=float)
    return np.array(names, dtype=object)[rng.choice(len(names), n, p=weights / weights.sum())]


def draw_prior_lines(n: int, rng: np.random.Generator) -> np.ndarray:
    """Lines of treatment before the ICI, with the Table 1 proportions."""
    values = np.array(list(PRIOR_LINES))
    weights = np.array(list(PRIOR_LINES.values()), dtype=float)
    return values[rng.choice(len(values), n, p=weights / weights.sum())]


def draw_regimens(n: int, rng: np.random.Generator) -> np.ndarray:
    """ICI regimens: 97 % single agent, 3 % a combination of two ICIs."""
    names = np.array(list(REGIMENS), dtype=object)
    weights = np.array(list(REGIMENS.values()), dtype=float)
    return names[rng.choice(len(names), n, p=weights / weights.sum())]


def draw_ages(n: int, rng: np.random.Generator) -> np.ndarray:
    """Ages at inclusion around the study's median 59, within its range 21-90."""
    return np.clip(np.round(rng.normal(AGE_MEDIAN, 12.5, n)), AGE_MIN, AGE_MAX).astype(int)


def draw_months_to_ici(n: int, rng: np.random.Generator) -> np.ndarray:
    """Months from recurrent/metastatic diagnosis to the ICI: log-normal, median 12, range 1-119."""
    months = np.exp(rng.normal(np.log(MONTHS_TO_ICI_MEDIAN), 0.9, n))
    return np.clip(np.round(months), MONTHS_TO_ICI_MIN, MONTHS_TO_ICI_MAX).astype(int)


def pin_median_and_range(values: np.ndarray, median: int, low: int, high: int) -> np.ndarray:
    """`values` (even length) moved the least so their median, minimum and maximum are exact."""
    order = np.argsort(values, kind="stable")
    pinned = values.copy()
    half = len(values) // 2
    pinned[order[:half]] = np.minimum(pinned[order[:half]], median)
    pinned[order[half - 1:half + 1]] = median
    pinned[order[half:]] = np.maximum(pinned[order[half:]], median)
    pinned[order[0]], pinned[order[-1]] = low, high
    return pinned
