with unioned as (
  {{ paystack_union('plans', [
    {'name': 'plan_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'plan_code', 'type': 'string'},
    {'name': 'name', 'type': 'string'},
    {'name': 'amount', 'type': 'bigint'},
    {'name': 'plan_interval', 'type': 'string', 'from': ['interval']},
    {'name': 'currency', 'type': 'string'},
    {'name': 'invoice_limit', 'type': 'bigint'},
    {'name': 'is_deleted', 'type': 'boolean'},
    {'name': 'is_archived', 'type': 'boolean'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'plan_id', 'updated_at') }}
)

select
  source_relation,
  plan_id,
  plan_code,
  name,
  amount,
  {{ paystack_major('amount') }} as amount_major,
  plan_interval,
  currency,
  invoice_limit,
  is_deleted,
  is_archived,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
