-- Per business, the marts hold every record they sum: the daily overview's
-- charges, volume and fees are the charges', the reconciliation's
-- transactions are the settlement transactions', and the balance
-- transactions are the ledger's entries. A row is a total that disagrees.

with staged as (
  select source_relation, 'charges' as total, count(*) as expected_value
  from {{ ref('stg_paystack__transactions') }} group by 1
  union all
  select source_relation, 'volume', sum(amount)
  from {{ ref('stg_paystack__transactions') }} where status = 'success' group by 1
  union all
  select source_relation, 'fees', sum(coalesce(fees, 0))
  from {{ ref('stg_paystack__transactions') }} where status = 'success' group by 1
  union all
  select source_relation, 'settled charges', count(*)
  from {{ ref('stg_paystack__settlement_transactions') }} group by 1
  union all
  select source_relation, 'ledger entries', count(*)
  from {{ ref('stg_paystack__balance_history') }} group by 1
),

marts as (
  select source_relation, 'charges' as total, sum(transactions) as mart_value
  from {{ ref('paystack__daily_overview') }} group by 1
  union all
  select source_relation, 'volume', sum(gross_volume)
  from {{ ref('paystack__daily_overview') }} group by 1
  union all
  select source_relation, 'fees', sum(fees)
  from {{ ref('paystack__daily_overview') }} group by 1
  union all
  select source_relation, 'settled charges', sum(transactions_count)
  from {{ ref('paystack__settlement_reconciliation') }} group by 1
  union all
  select source_relation, 'ledger entries', count(*)
  from {{ ref('paystack__balance_transactions') }} group by 1
)

select staged.source_relation, staged.total, staged.expected_value, marts.mart_value
from staged
left join marts
  on marts.source_relation = staged.source_relation
  and marts.total = staged.total
where marts.mart_value is null or marts.mart_value <> staged.expected_value
