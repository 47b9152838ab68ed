with unioned as (
  {{ paystack_union('refunds', [
    {'name': 'refund_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'transaction_id', 'type': 'bigint', 'from': ['transaction']},
    {'name': 'dispute_id', 'type': 'bigint', 'from': ['dispute']},
    {'name': 'currency', 'type': 'string'},
    {'name': 'amount', 'type': 'bigint'},
    {'name': 'deducted_amount', 'type': 'bigint'},
    {'name': 'status', 'type': 'string'},
    {'name': 'refund_type', 'type': 'string'},
    {'name': 'transaction_reference', 'type': 'string'},
    {'name': 'customer_id', 'type': 'bigint', 'from': ['customer'], 'json': 'id'},
    {'name': 'refunded_at', 'type': 'timestamp', 'from': ['refunded_at', 'refundedAt']},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'refund_id', 'updated_at') }}
)

select
  source_relation,
  refund_id,
  transaction_id,
  dispute_id,
  currency,
  amount,
  {{ paystack_major('amount') }} as amount_major,
  deducted_amount,
  status,
  refund_type,
  transaction_reference,
  customer_id,
  refunded_at,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
