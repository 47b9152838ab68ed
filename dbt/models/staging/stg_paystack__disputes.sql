with unioned as (
  {{ paystack_union('disputes', [
    {'name': 'dispute_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'status', 'type': 'string'},
    {'name': 'resolution', 'type': 'string'},
    {'name': 'category', 'type': 'string'},
    {'name': 'refund_amount', 'type': 'bigint'},
    {'name': 'dispute_currency', 'type': 'string', 'from': ['currency']},
    {'name': 'transaction_id', 'type': 'bigint', 'from': ['transaction'], 'json': 'id'},
    {'name': 'transaction_amount', 'type': 'bigint', 'from': ['transaction'], 'json': 'amount'},
    {'name': 'transaction_currency', 'type': 'string', 'from': ['transaction'], 'json': 'currency'},
    {'name': 'customer_id', 'type': 'bigint', 'from': ['customer'], 'json': 'id'},
    {'name': 'resolved_at', 'type': 'timestamp', 'from': ['resolvedAt', 'resolved_at']},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'dispute_id', 'updated_at') }}
)

select
  source_relation,
  dispute_id,
  status,
  resolution,
  category,
  refund_amount,
  -- A dispute may come without its currency; its transaction has one.
  coalesce(dispute_currency, transaction_currency) as currency,
  transaction_id,
  transaction_amount,
  {{ paystack_major('transaction_amount') }} as transaction_amount_major,
  customer_id,
  resolved_at,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
