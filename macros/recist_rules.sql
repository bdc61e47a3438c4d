{#- The RECIST 1.1 rule shapes shared by lesions and target sums (contract: Rules). All
    arguments are DECIMAL expressions; thresholds come from dbt vars. -#}

{% macro is_progression(current_mm, nadir_mm) -%}
    ({{ current_mm }} - {{ nadir_mm }} >= {{ setting('recist_pd_min_increase_mm') }}
     and {{ current_mm }} >= {{ setting('recist_pd_min_ratio') }} * {{ nadir_mm }})
{%- endmacro %}


{% macro is_partial_response(current_mm, baseline_mm) -%}
    ({{ current_mm }} <= {{ setting('recist_pr_max_ratio') }} * {{ baseline_mm }})
{%- endmacro %}


{% macro is_normal_size(current_mm, is_lymph_node) -%}
    {#- A lesion that has disappeared, or a lymph node whose short axis is back to normal. -#}
    ({{ current_mm }} = 0 or ({{ is_lymph_node }} and {{ current_mm }} < {{ setting('recist_node_normal_mm') }}))
{%- endmacro %}


{% macro running_nadir(value, baseline, partition_by, order_by='assessment_date', preceding='unbounded') -%}
    {#- The nadir before each evaluation: the smallest of the baseline and the values (NULLs
        skipped) at the earlier evaluations of the same `partition_by` (a column list), in
        `order_by` order. `preceding` bounds how many earlier rows count (a column holding the
        row's position in its series when several series share a partition, as the draws of
        models/robustness do). -#}
    least(
        {{ baseline }},
        coalesce(min({{ value }}) over (
            partition by {{ partition_by | join(', ') }} order by {{ order_by }}
            rows between {{ preceding }} preceding and 1 preceding
        ), {{ baseline }})
    )
{%- endmacro %}


{% macro percent_change(current_mm, reference_mm) -%}
    {#- Percentage change from a reference value, 4 decimals; NULL from 0 or without a value. -#}
    round({{ divide('(' ~ current_mm ~ ' - ' ~ reference_mm ~ ') * 100', reference_mm) }}, 4)
{%- endmacro %}


{% macro response_rank(response) -%}
    {#- Order of responses for "best": CR 1 < PR 2 < SD 3 < PD 4 < NE 5. -#}
    case {{ response }} when 'CR' then 1 when 'PR' then 2 when 'SD' then 3 when 'PD' then 4 else 5 end
{%- endmacro %}


{% macro recist_level(irecist_response) -%}
    {#- An iRECIST response at its RECIST 1.1 level: iUPD and iCPD are PD, iCR CR, ... -#}
    case {{ irecist_response }}
        when 'iCR' then 'CR' when 'iPR' then 'PR' when 'iSD' then 'SD' when 'iUPD' then 'PD' when 'iCPD' then 'PD'
        when 'NON_iCR_NON_iUPD' then 'NON_CR_NON_PD' else {{ irecist_response }}
    end
{%- endmacro %}


{% macro response_of_rank(rank) -%}
    case {{ rank }} when 1 then 'CR' when 2 then 'PR' when 3 then 'SD' when 4 then 'PD' when 5 then 'NE' end
{%- endmacro %}


{% macro dissociated_response_type(n_pd, n_responding, n_sd) -%}
    {#- DR of one evaluation from its lesion-response counts (NE ignored). -#}
    case
        when {{ n_pd }} > 0 and {{ n_responding }} > 0 then 'DR1'
        when {{ n_pd }} > 0 and {{ n_sd }} > 0 then 'DR2'
        when {{ n_sd }} > 0 and {{ n_responding }} > 0 then 'DR3'
    end
{%- endmacro %}


{% macro target_sum_response(n_cr, n_lesions, n_with_value, sum_mm, nadir_sum_mm, baseline_sum_mm) -%}
    {#- RECIST 1.1 response of a sum of target lesions (the patient's target set, or one
        organ's lesions), first rule that holds: CR when every lesion is CR; PD on the sum of
        the lesions measured; NE when a lesion has no value; PR; else SD. -#}
    case
        when {{ n_cr }} = {{ n_lesions }} then 'CR'
        when {{ sum_mm }} is not null and {{ is_progression(sum_mm, nadir_sum_mm) }} then 'PD'
        when {{ n_with_value }} < {{ n_lesions }} then 'NE'
        when {{ is_partial_response(sum_mm, baseline_sum_mm) }} then 'PR'
        else 'SD'
    end
{%- endmacro %}


{% macro overall_response(target_response, non_target_response, new_lesions) -%}
    {#- Overall response of an evaluation (contract: Rules). -#}
    case
        when {{ target_response }} = 'PD' or {{ non_target_response }} = 'PD' or {{ new_lesions }} = 'yes' then 'PD'
        when {{ new_lesions }} is null then 'NE'
        when {{ target_response }} = 'CR' and ({{ non_target_response }} = 'CR' or {{ non_target_response }} is null) then 'CR'
        when {{ target_response }} = 'CR' and {{ non_target_response }} in ('NON_CR_NON_PD', 'NE') then 'PR'
        when {{ target_response }} = 'PR' then 'PR'
        when {{ target_response }} = 'SD' then 'SD'
        else 'NE'
    end
{%- endmacro %}


{% macro lesion_response(current_mm, nadir_mm, baseline_mm, is_lymph_node) -%}
    {#- Response of one target lesion at a post-baseline evaluation (contract: Rules). -#}
    case
        when {{ current_mm }} is null then 'NE'
        when {{ is_normal_size(current_mm, is_lymph_node) }} then 'CR'
        when {{ is_progression(current_mm, nadir_mm) }} then 'PD'
        when {{ is_partial_response(current_mm, baseline_mm) }} then 'PR'
        else 'SD'
    end
{%- endmacro %}


{% macro target_lesions_tallied(lesion_response='lesion_response', diameter_mm='diameter_mm', baseline_mm='baseline_mm') -%}
    {#- What an evaluation's target-sum response needs from its target lesions' rows (used with
        a group by the evaluation): lesions, those with a value, the sum and the baseline sum,
        and the lesions of each response (n_cr, n_pr, n_sd, n_pd, n_ne). -#}
    count(*) as n_target_lesions,
    count({{ diameter_mm }}) as n_with_value,
    sum({{ diameter_mm }}) as sum_mm,
    sum({{ baseline_mm }}) as baseline_sum_mm
    {%- for code in contract_codes('response') %},
    count(case when {{ lesion_response }} = '{{ code }}' then 1 end) as n_{{ code | lower }}
    {%- endfor %}
{%- endmacro %}
