with unioned as (
  {{ paystack_union('customers', [
    {'name': 'customer_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'customer_code', 'type': 'string'},
    {'name': 'email', 'type': 'string'},
    {'name': 'first_name', 'type': 'string'},
    {'name': 'last_name', 'type': 'string'},
    {'name': 'risk_action', 'type': 'string'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'customer_id', 'updated_at') }}
)

select
  source_relation,
  customer_id,
  customer_code,
  email,
  first_name,
  last_name,
  risk_action,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
