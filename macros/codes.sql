{% macro contract_codes(name=none) -%}
    {#- The code lists of the data contract, written once: staging keeps a value only when it
        is one of them, and data_issues reports the text that is not.
        Without a name: every list, by name. Here rather than in the `input` source's YAML
        because dbt's unit tests compile a model without the sources. The simulator, the SDTM
        import and the doc test read this literal (analysis_py/input_contract.py): keep it a
        plain dict of lists of quoted codes. -#}
    {%- set lists = {
        'sex': ['M', 'F'],
        'role': ['target', 'non_target'],
        'status': ['measured', 'too_small', 'absent', 'not_evaluable'],
        'new_lesions': ['no', 'yes', 'equivocal'],
        'non_target_response': ['CR', 'NON_CR_NON_PD', 'PD', 'NE'],
        'non_target_increase': ['yes', 'no'],
        'procedure': ['radiotherapy', 'biopsy'],
        'target': ['primary', 'metastasis'],
        'response': ['CR', 'PR', 'SD', 'PD', 'NE'],
        'recorded_overall_response': ['CR', 'PR', 'SD', 'PD', 'NE', 'NON_CR_NON_PD'],
        'recorded_irecist_response': ['iCR', 'iPR', 'iSD', 'iUPD', 'iCPD', 'NE', 'NON_iCR_NON_iUPD'],
    } -%}
    {{ return(lists if name is none else lists[name]) }}
{%- endmacro %}


{% macro coded(text, name) -%}
    {#- `text` as the code of the list `name` it matches (case-insensitively, so `icpd` is
        `iCPD`), else NULL. -#}
    case upper({{ text }})
        {%- for code in contract_codes(name) %} when '{{ code | upper }}' then '{{ code }}'{% endfor %} end
{%- endmacro %}
