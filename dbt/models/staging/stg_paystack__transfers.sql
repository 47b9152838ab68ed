with unioned as (
  {{ paystack_union('transfers', [
    {'name': 'transfer_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'transfer_code', 'type': 'string'},
    {'name': 'reference', 'type': 'string'},
    {'name': 'status', 'type': 'string'},
    {'name': 'amount', 'type': 'bigint'},
    {'name': 'fee_charged', 'type': 'bigint'},
    {'name': 'currency', 'type': 'string'},
    {'name': 'source', 'type': 'string'},
    {'name': 'reason', 'type': 'string'},
    {'name': 'recipient_code', 'type': 'string', 'from': ['recipient'], 'json': 'recipient_code'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'transfer_id', 'updated_at') }}
)

select
  source_relation,
  transfer_id,
  transfer_code,
  reference,
  status,
  amount,
  {{ paystack_major('amount') }} as amount_major,
  fee_charged,
  {{ paystack_major('fee_charged') }} as fee_charged_major,
  currency,
  source,
  reason,
  recipient_code,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
