{#-
  The rows of one stream's table in every schema of var('paystack_sources'),
  unioned, with a source_relation column naming the business.

  columns: a list of {name, type, from, json}:
    name  the column's name in the result;
    type  bigint | string | timestamp | boolean | numeric;
    from  the stream's field(s) it is read from, as the connector names them
          (camelCase included); the first one the table has wins, and a
          field no table has gives null. Matching ignores case, so the
          destination's naming does not matter (PyAirbyte writes `createdat`,
          Airbyte's destinations `createdAt` or `CREATEDAT`);
    json  a key inside that field's JSON object (`customer` -> `id`): the
          value under it, as text, cast to `type`;
    untyped  true for a field the stream's schema gives no type
          (`cancelledAt`): the warehouse holds it as JSON, so its JSON
          value's text is cast to `type`.
  A table missing from a schema (a stream not synced there) adds no rows.
-#}
{% macro paystack_union(table, columns) %}
  {%- set selects = [] -%}
  {%- for src in var('paystack_sources') -%}
    {%- set label = src.get('name', src['schema']) -%}
    {%- set relation = none -%}
    {%- if execute -%}
      {%- set relation = adapter.get_relation(
            database=src.get('database', target.database),
            schema=src['schema'],
            identifier=src.get('prefix', '') ~ table) -%}
    {%- endif -%}
    {%- if relation is none -%}
      {%- if execute -%}
        {{ log("paystack: schema " ~ src['schema'] ~ " has no table " ~ src.get('prefix', '') ~ table
               ~ ", so business " ~ label ~ " adds no " ~ table ~ " rows: sync the stream " ~ table
               ~ " into it, or check the schema and prefix in var paystack_sources", info=true) }}
      {%- endif -%}
      {%- do selects.append(paystack_union_select(label, columns, {}, none)) -%}
    {%- else -%}
      {%- set found = {} -%}
      {%- for col in adapter.get_columns_in_relation(relation) -%}
        {%- do found.update({col.name | lower: col}) -%}
      {%- endfor -%}
      {%- do selects.append(paystack_union_select(label, columns, found, relation)) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ selects | join('\nunion all\n') }}
{% endmacro %}

{% macro paystack_union_select(label, columns, found, relation) %}
  select
    cast('{{ label }}' as {{ dbt.type_string() }}) as source_relation,
    {%- for c in columns %}
    {{ paystack_column(c, found) }} as {{ c['name'] }},
    {%- endfor %}
    {{ paystack_column({'name': '_airbyte_extracted_at', 'type': 'timestamp'}, found) }} as _airbyte_extracted_at
  {%- if relation is none %}
  from (select 1 as one) as empty_source where 1 = 0
  {%- else %}
  from {{ relation }}
  {%- endif %}
{% endmacro %}

{#- One column of a union member: the first field of c['from'] the table has. -#}
{% macro paystack_column(c, found) %}
  {%- set sql_type = paystack_sql_type(c['type']) -%}
  {%- set ns = namespace(col=none) -%}
  {%- for field in c.get('from', [c['name']]) -%}
    {%- if ns.col is none and (field | lower) in found -%}
      {%- set ns.col = found[field | lower] -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if ns.col is none -%}
    cast(null as {{ sql_type }})
  {%- elif c.get('json') -%}
    {{ dbt.safe_cast(paystack_json_text(adapter.quote(ns.col.name), c['json']), sql_type) }}
  {%- elif c.get('untyped') -%}
    {{ dbt.safe_cast(paystack_json_scalar_text(adapter.quote(ns.col.name)), sql_type) }}
  {%- elif c['type'] == 'timestamp' -%}
    {{ paystack_utc_timestamp(adapter.quote(ns.col.name), ns.col.data_type) }}
  {%- else -%}
    {{ dbt.safe_cast(adapter.quote(ns.col.name), sql_type) }}
  {%- endif -%}
{% endmacro %}

{% macro paystack_sql_type(name) %}
  {%- if name == 'bigint' -%} {{ dbt.type_bigint() }}
  {%- elif name == 'string' -%} {{ dbt.type_string() }}
  {%- elif name == 'timestamp' -%} {{ dbt.type_timestamp() }}
  {%- elif name == 'boolean' -%} {{ dbt.type_boolean() }}
  {%- elif name == 'numeric' -%} {{ dbt.type_numeric() }}
  {%- else -%} {{ exceptions.raise_compiler_error("paystack_union: unknown type " ~ name) }}
  {%- endif -%}
{% endmacro %}
