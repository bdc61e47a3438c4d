{#- The chosen reader's rows of dim_patients_by_reader (docs/readers.md). -#}

{{ chosen_reader_mart('dim_patients_by_reader') }}
