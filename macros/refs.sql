{#- A ref names its table without the database: DuckDB names the database after its file, and a
    build writes a work file (named lesionwise_work) that then replaces the target under the
    user's file name. A view's body resolves names in its own database, so the views of the
    renamed file still find their tables. -#}

{% macro ref() -%}
    {{ return(builtins.ref(*varargs, **kwargs).include(database=False)) }}
{%- endmacro %}
