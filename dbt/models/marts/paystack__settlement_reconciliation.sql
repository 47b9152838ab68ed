-- One row per settlement: what Paystack says it paid out, beside the sum of
-- the transactions it lists under the settlement. Every listed transaction
-- counts, whatever its status (Paystack lists the ones it settled); their
-- fees are their own `fees` (assumed to be what the settlement deducted).

with settlements as (
  select * from {{ ref('stg_paystack__settlements') }}
),

settled as (
  select
    source_relation,
    settlement_id,
    count(*) as transactions_count,
    sum(amount) as transactions_amount,
    sum(coalesce(fees, 0)) as transactions_fees,
    sum(net_amount) as transactions_net_amount,
    min(created_at) as first_transaction_at,
    max(created_at) as last_transaction_at
  from {{ ref('stg_paystack__settlement_transactions') }}
  group by 1, 2
),

joined as (
  select
    settlements.source_relation,
    settlements.settlement_id,
    settlements.status,
    settlements.currency,
    settlements.settlement_date,
    settlements.created_at,
    settlements.total_processed,
    settlements.total_fees,
    settlements.total_amount,
    settlements.effective_amount,
    coalesce(settled.transactions_count, 0) as transactions_count,
    coalesce(settled.transactions_amount, 0) as transactions_amount,
    coalesce(settled.transactions_fees, 0) as transactions_fees,
    coalesce(settled.transactions_net_amount, 0) as transactions_net_amount,
    settled.first_transaction_at,
    settled.last_transaction_at
  from settlements
  left join settled
    on settled.source_relation = settlements.source_relation
    and settled.settlement_id = settlements.settlement_id
)

select
  joined.*,
  total_processed - transactions_amount as processed_difference,
  total_fees - transactions_fees as fees_difference,
  total_amount - transactions_net_amount as net_difference,
  {{ paystack_major('total_processed - transactions_amount') }} as processed_difference_major,
  total_processed = transactions_amount and total_fees = transactions_fees as is_reconciled
from joined
