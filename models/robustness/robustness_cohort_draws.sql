{#- One row per draw x cohort measure: the share of eligible patients with any DR, with
    DR1, DR2 or DR3, and with an objective response (orr), in that draw. -#}
{{ cohort_shares(ref('int_robustness_patients_redrawn')) }}
