-- Every business of var('paystack_sources') has rows in each mart: the
-- union reached every schema, and no join dropped a business.
{%- set marts = ['paystack__balance_transactions', 'paystack__settlement_reconciliation',
                 'paystack__subscription_periods', 'paystack__monthly_recurring_revenue',
                 'paystack__daily_overview'] %}

with expected as (
  {%- for src in var('paystack_sources') %}
  select cast('{{ src.get('name', src['schema']) }}' as {{ dbt.type_string() }}) as source_relation
  {%- if not loop.last %} union all{% endif %}
  {%- endfor %}
),

found as (
  {%- for mart in marts %}
  select '{{ mart }}' as mart, source_relation, count(*) as row_count
  from {{ ref(mart) }}
  group by 1, 2
  {%- if not loop.last %} union all{% endif %}
  {%- endfor %}
),

marts as (
  {%- for mart in marts %}
  select '{{ mart }}' as mart
  {%- if not loop.last %} union all{% endif %}
  {%- endfor %}
)

select marts.mart, expected.source_relation
from marts
cross join expected
left join found
  on found.mart = marts.mart
  and found.source_relation = expected.source_relation
where found.row_count is null
