"""The 100 eligible patients of the demo cohort, as courses of lesion responses.

A course is one string per target lesion, one letter per post-baseline evaluation (C, P, S, D:
the lesion's RECIST 1.1 response there), and one event letter per evaluation:

    .  nothing beyond what the lesions say
    p  the target sum is a partial response although a lesion is only stable
    h  a lesion progresses but the target sum does not (no overall progression)
    N  new lesions: overall progression whatever the target lesions do

The patient's first overall progression is the first evaluation with a D lesion (not held by
`h`) or an `N`; evaluations after it are treatment beyond progression. The counts were chosen
offline with an integer program over a few thousand candidate courses so that the published
figures are met exactly: 272 target lesions (2:49, 3:35, 4:11, 5:5 patients), 363
post-baseline evaluations, 972 post-baseline measurements, Table 2 (best overall response
CR 2 / PR 20 / SD 33 / PD 45; best lesion response 10 / 42 / 142 / 78; measurement responses
41 / 283 / 399 / 249), DR1/DR2/DR3 patients 8/44/10 with 169 DR evaluations, 14 patients
treated beyond progression and 8 responses lasting over two years.
"""
from __future__ import annotations

from typing import NamedTuple


class Course(NamedTuple):
    n_patients: int
    plans: tuple[str, ...]
    events: str

    @property
    def n_evaluations(self) -> int:
        return len(self.events)

    @property
    def first_progression(self) -> int | None:
        """Index of the first evaluation with overall progression, None if it never comes."""
        for k, event in enumerate(self.events):
            if event == "N" or (event != "h" and any(plan[k] == "D" for plan in self.plans)):
                return k
        return None

    @property
    def stable_best(self) -> bool:
        """Best overall response SD: no evaluation before progression has a response of the sum."""
        end = self.first_progression
        window = range(self.n_evaluations if end is None else end)
        return end != 0 and not any(self.events[k] == "p" or all(plan[k] in "CP" for plan in self.plans)
                                    for k in window)


COURSES: tuple[Course, ...] = (
    # Progression at the first evaluation (best overall response PD)
    Course(4, ("D", "S"), "."),
    Course(4, ("D", "D"), "."),
    Course(4, ("D", "D", "S"), "."),
    Course(4, ("D", "S", "P", "P"), "."),
    Course(4, ("D", "D", "S", "S"), "."),
    Course(3, ("D", "D", "D", "D"), "."),
    Course(4, ("D", "D", "S", "S", "S"), "."),
    Course(4, ("S", "P"), "N"),
    Course(3, ("DD", "DD", "SD"), ".."),
    Course(4, ("DD", "DD", "DD"), ".."),
    Course(3, ("SSD", "SSD", "SSD"), "N.."),
    Course(3, ("DDDDDD", "SSDDDD", "SSDDDD"), "......"),
    Course(1, ("DDDDDD",) * 5, "......"),
    # Stable disease first
    Course(3, ("S", "S"), "."),
    Course(2, ("SD", "SD", "SD"), ".."),
    Course(4, ("SD", "SS"), ".h"),
    Course(4, ("SDDD", "SSSD"), ".hh."),
    Course(3, ("SSD", "SSS"), "..."),
    Course(4, ("SSD", "SSD", "SSD"), "..."),
    Course(3, ("SSSD", "SSSS"), "...."),
    Course(1, ("SSSS", "SSSS", "SSSS"), "...."),
    Course(2, ("SSSDD", "SSSSD"), "...h."),
    Course(4, ("SSSSS", "SSSSS"), "....N"),
    Course(3, ("SSSDDD", "SSSSSD", "SSSSSS"), "...hh."),
    # Partial or complete response
    Course(1, ("PD", "PP"), ".."),
    Course(3, ("PD", "SS"), "p."),
    Course(2, ("PPP", "SSD"), "pp."),
    Course(3, ("PPPD", "PPPD"), "...."),
    Course(1, ("PPCD", "PPCD"), "...."),
    Course(2, ("PPCCC", "PPPPP"), "....N"),
    Course(1, ("SPPCC", "SPPCC"), "....."),
    Course(1, ("SPPPPPPCCCCCC", "S" * 13), "." + "p" * 12),
    Course(2, ("P" * 13,) * 3, "." * 13),
    Course(3, ("P" * 13, "P" * 13, "S" * 13), "p" * 13),
    Course(1, ("S" + "P" * 14, "S" + "P" * 14, "S" * 15), "." + "p" * 14),
    Course(1, ("SPPPPPPPCCCCCCC", "SSSSSPPPPPPPPPP", "S" * 15), "....." + "p" * 10),
    Course(1, ("SPPPPPPPCCCCCCCC", "SSSPPPPPCCCCCCCC", "S" * 15 + "D"), "..." + "p" * 12 + "."),
)
