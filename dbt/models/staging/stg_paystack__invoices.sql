with unioned as (
  {{ paystack_union('invoices', [
    {'name': 'invoice_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'request_code', 'type': 'string'},
    {'name': 'invoice_number', 'type': 'bigint'},
    {'name': 'status', 'type': 'string'},
    {'name': 'paid', 'type': 'boolean'},
    {'name': 'amount', 'type': 'bigint'},
    {'name': 'currency', 'type': 'string'},
    {'name': 'customer_id', 'type': 'bigint', 'from': ['customer'], 'json': 'id'},
    {'name': 'due_date', 'type': 'timestamp'},
    {'name': 'paid_at', 'type': 'timestamp', 'from': ['paid_at', 'paidAt']},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['created_at', 'createdAt']},
  ]) }}
),

-- A payment request has no updatedAt: the copy from the latest sync is the newest.
latest as (
  {{ paystack_latest('unioned', 'invoice_id') }}
)

select
  source_relation,
  invoice_id,
  request_code,
  invoice_number,
  status,
  paid,
  amount,
  {{ paystack_major('amount') }} as amount_major,
  currency,
  customer_id,
  due_date,
  paid_at,
  created_at,
  _airbyte_extracted_at
from latest
