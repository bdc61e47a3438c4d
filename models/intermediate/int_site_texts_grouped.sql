{#- One row per distinct site text of lesions.csv (trimmed; NULL left out), with its site
    group and the keyword that gave it (macro site_texts_grouped). -#}

{{ site_texts_grouped(ref('stg_lesions')) }}
