with unioned as (
  {{ paystack_union('balance_history', [
    {'name': 'ledger_entry_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'currency', 'type': 'string'},
    {'name': 'difference', 'type': 'bigint'},
    {'name': 'balance', 'type': 'bigint'},
    {'name': 'reason', 'type': 'string'},
    {'name': 'model_responsible', 'type': 'string'},
    {'name': 'model_row', 'type': 'bigint'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'ledger_entry_id', 'updated_at') }}
)

select
  source_relation,
  ledger_entry_id,
  currency,
  difference,
  {{ paystack_major('difference') }} as difference_major,
  balance,
  {{ paystack_major('balance') }} as balance_major,
  balance - difference as balance_before,
  nullif(reason, '') as reason,
  model_responsible,
  lower(model_responsible) as entry_type,
  model_row,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
