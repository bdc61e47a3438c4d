{#- One row per draw: 1 to robustness_draws. -#}
select cast(range as integer) as draw
from range(1, {{ var('robustness_draws') }} + 1)
