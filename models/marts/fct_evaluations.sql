{#- The chosen reader's rows of fct_evaluations_by_reader (docs/readers.md). -#}

{{ chosen_reader_mart('fct_evaluations_by_reader') }}
