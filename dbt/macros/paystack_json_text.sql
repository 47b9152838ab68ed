{#-
  The value under `key` in the JSON object `column`, as text (null when the
  column is null, not an object, or lacks the key). The one place JSON is
  read: each warehouse spells it differently. Only the DuckDB one runs in
  this repository's CI.
-#}
{% macro paystack_json_text(column, key) %}
  {{ return(adapter.dispatch('paystack_json_text', 'paystack')(column, key)) }}
{% endmacro %}

{% macro default__paystack_json_text(column, key) -%}
  json_extract_path_text({{ column }}, '{{ key }}')
{%- endmacro %}

{#- DuckDB: PyAirbyte's JSON columns, or JSON text in a VARCHAR. A value that
    is not a JSON object (Paystack sometimes sends "" for one) gives null. -#}
{% macro duckdb__paystack_json_text(column, key) -%}
  case when json_valid(cast({{ column }} as varchar))
    and json_type(cast({{ column }} as varchar)) = 'OBJECT'
    then json_extract_string(cast({{ column }} as varchar), '$.{{ key }}') end
{%- endmacro %}

{#- Postgres: jsonb or json (Airbyte's destination) or JSON text. -#}
{% macro postgres__paystack_json_text(column, key) -%}
  case when jsonb_typeof(cast({{ column }} as jsonb)) = 'object'
    then cast({{ column }} as jsonb) ->> '{{ key }}' end
{%- endmacro %}

{#- BigQuery: JSON (Airbyte's destination) or JSON text in a STRING. -#}
{% macro bigquery__paystack_json_text(column, key) -%}
  json_value(
    case when safe.parse_json(to_json_string({{ column }})) is not null
      then to_json_string({{ column }}) end,
    '$.{{ key }}')
{%- endmacro %}

{#- Snowflake: VARIANT (Airbyte's destination) or JSON text. -#}
{% macro snowflake__paystack_json_text(column, key) -%}
  get_path(try_parse_json(to_varchar({{ column }})), '{{ key }}')::varchar
{%- endmacro %}

{#- The text of a JSON scalar (a string without its quotes), held as JSON
    or as JSON text; text that is not JSON is taken as it is. Untyped
    fields land so. -#}
{% macro paystack_json_scalar_text(column) %}
  {{ return(adapter.dispatch('paystack_json_scalar_text', 'paystack')(column)) }}
{% endmacro %}

{% macro default__paystack_json_scalar_text(column) -%}
  cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__paystack_json_scalar_text(column) -%}
  case when json_valid(cast({{ column }} as varchar))
    then json_extract_string(cast({{ column }} as varchar), '$')
    else cast({{ column }} as varchar) end
{%- endmacro %}

{% macro postgres__paystack_json_scalar_text(column) -%}
  cast({{ column }} as jsonb) #>> '{}'
{%- endmacro %}

{% macro bigquery__paystack_json_scalar_text(column) -%}
  json_value(to_json_string({{ column }}), '$')
{%- endmacro %}

{% macro snowflake__paystack_json_scalar_text(column) -%}
  coalesce(try_parse_json(to_varchar({{ column }}))::varchar, to_varchar({{ column }}))
{%- endmacro %}
