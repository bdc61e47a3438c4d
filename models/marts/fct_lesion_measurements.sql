{#- The chosen reader's rows of fct_lesion_measurements_by_reader (docs/readers.md). -#}

{{ chosen_reader_mart('fct_lesion_measurements_by_reader') }}
