{#-
  A date-time column as a timestamp without zone, in UTC. `data_type` is the
  column's type in the warehouse: PyAirbyte writes TIMESTAMP (already UTC),
  Airbyte's destinations a type with a zone, which is converted to UTC
  explicitly (a plain cast would use the session's time zone).
-#}
{% macro paystack_utc_timestamp(column, data_type) %}
  {{ return(adapter.dispatch('paystack_utc_timestamp', 'paystack')(column, data_type)) }}
{% endmacro %}

{% macro paystack_has_zone(data_type) -%}
  {{ return((data_type | lower) in ['timestamptz', 'timestamp_tz', 'timestamp with time zone']) }}
{%- endmacro %}

{% macro default__paystack_utc_timestamp(column, data_type) -%}
  {%- if paystack_has_zone(data_type) -%}
    cast(({{ column }} at time zone 'UTC') as {{ dbt.type_timestamp() }})
  {%- else -%}
    {{ dbt.safe_cast(column, dbt.type_timestamp()) }}
  {%- endif -%}
{%- endmacro %}

{#- BigQuery's TIMESTAMP is an instant; text with its offset casts to it. -#}
{% macro bigquery__paystack_utc_timestamp(column, data_type) -%}
  safe_cast({{ column }} as timestamp)
{%- endmacro %}

{% macro snowflake__paystack_utc_timestamp(column, data_type) -%}
  {%- if paystack_has_zone(data_type) -%}
    convert_timezone('UTC', {{ column }})::timestamp_ntz
  {%- else -%}
    try_cast(to_varchar({{ column }}) as timestamp_ntz)
  {%- endif -%}
{%- endmacro %}
