{#- An amount in a currency's minor unit (kobo, pesewas, cents) in its major
    unit. Paystack sends every amount in the minor unit, 100 to the major.
    A product of decimals stays a decimal everywhere (a quotient is a
    double in DuckDB). -#}
{% macro paystack_major(amount) -%}
  cast({{ amount }} as {{ dbt.type_numeric() }}) * cast(0.01 as {{ dbt.type_numeric() }})
{%- endmacro %}

{#- The newest row of each (source_relation, id) of the CTE `relation`: a
    source in append mode lands a record once per sync. `order_by` ranks the
    copies, newest first; _airbyte_extracted_at breaks ties. -#}
{% macro paystack_latest(relation, id, order_by=none) -%}
  select * from (
    select
      {{ relation }}.*,
      row_number() over (
        partition by source_relation, {{ id }}
        order by {% if order_by %}{{ order_by }} desc nulls last, {% endif %}_airbyte_extracted_at desc nulls last
      ) as paystack_copy
    from {{ relation }}
  ) as ranked
  where paystack_copy = 1
{%- endmacro %}

{#- The integers 0 to 999 as column `n`, with no table behind them (the
    months of the MRR models are an offset from a first month). -#}
{% macro paystack_numbers() -%}
  select ones.n + 10 * tens.n + 100 * hundreds.n as n
  from {{ paystack_digits() }} as ones
  cross join {{ paystack_digits() }} as tens
  cross join {{ paystack_digits() }} as hundreds
{%- endmacro %}

{% macro paystack_digits() -%}
  (
    {%- for d in range(10) %}
    select {{ d }} as n{% if not loop.last %} union all{% endif %}
    {%- endfor %}
  )
{%- endmacro %}
