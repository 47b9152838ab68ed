with unioned as (
  {{ paystack_union('settlements', [
    {'name': 'settlement_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'status', 'type': 'string'},
    {'name': 'currency', 'type': 'string'},
    {'name': 'total_amount', 'type': 'bigint'},
    {'name': 'effective_amount', 'type': 'bigint'},
    {'name': 'total_fees', 'type': 'bigint'},
    {'name': 'total_processed', 'type': 'bigint'},
    {'name': 'settlement_date', 'type': 'timestamp'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'settlement_id', 'updated_at') }}
)

select
  source_relation,
  settlement_id,
  status,
  currency,
  total_processed,
  {{ paystack_major('total_processed') }} as total_processed_major,
  total_fees,
  {{ paystack_major('total_fees') }} as total_fees_major,
  total_amount,
  {{ paystack_major('total_amount') }} as total_amount_major,
  effective_amount,
  {{ paystack_major('effective_amount') }} as effective_amount_major,
  settlement_date,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
