{% set columns = paystack_transaction_columns() + [
  {'name': 'settlement_id', 'type': 'bigint'},
  {'name': 'settlement_created_at', 'type': 'timestamp'},
] %}

with unioned as (
  {{ paystack_union('settlement_transactions', columns) }}
),

latest as (
  {{ paystack_latest('unioned', 'transaction_id') }}
)

select
  settlement_id,
  settlement_created_at,
  {{ paystack_transaction_select() }}
from latest
