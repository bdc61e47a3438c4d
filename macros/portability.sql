{#- Engine differences the models must not see (DuckDB, the default, and Spark through
    dbt-spark). The rest is handled elsewhere:
    - date differences: dbt.datediff(start, end, 'day') (DuckDB date_diff does not exist on Spark);
    - string casts: dbt.type_string() (Spark rejects `varchar` without a length); contracts
      and seeds declare `string`, DuckDB's alias of VARCHAR and Spark's text type;
    - decimal sums (DECIMAL(38, s) on DuckDB, DECIMAL(p + 10, s) on Spark) and row_number
      (BIGINT, INT): every contracted column is cast in the mart's final CTE;
    - regular expressions: full_match (parsing.sql); removing accents: folded (patterns.sql);
    - reading the input folder and writing the export: input_files.sql, export.sql. -#}

{% macro divide(numerator, denominator) -%}
    {#- numerator / denominator in DOUBLE, NULL when the denominator is 0 or NULL. DuckDB
        divides DECIMALs in DOUBLE while Spark keeps a DECIMAL of a scale of its own; a
        zero gives inf on DuckDB and an error on Spark in ANSI mode. Both engines then
        divide the same doubles and get the same quotient; round it and cast it to DECIMAL. -#}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
