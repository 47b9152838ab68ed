with unioned as (
  {{ paystack_union('subscriptions', [
    {'name': 'subscription_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'subscription_code', 'type': 'string'},
    {'name': 'status', 'type': 'string'},
    {'name': 'amount', 'type': 'bigint'},
    {'name': 'quantity', 'type': 'bigint'},
    {'name': 'start_unix', 'type': 'bigint', 'from': ['start']},
    {'name': 'invoice_limit', 'type': 'bigint'},
    {'name': 'payments_count', 'type': 'bigint'},
    {'name': 'cron_expression', 'type': 'string'},
    {'name': 'next_payment_date', 'type': 'timestamp'},
    {'name': 'plan_id', 'type': 'bigint', 'from': ['plan'], 'json': 'id'},
    {'name': 'plan_code', 'type': 'string', 'from': ['plan'], 'json': 'plan_code'},
    {'name': 'plan_interval', 'type': 'string', 'from': ['plan'], 'json': 'interval'},
    {'name': 'plan_currency', 'type': 'string', 'from': ['plan'], 'json': 'currency'},
    {'name': 'customer_id', 'type': 'bigint', 'from': ['customer'], 'json': 'id'},
    {'name': 'customer_code', 'type': 'string', 'from': ['customer'], 'json': 'customer_code'},
    {'name': 'authorization_code', 'type': 'string', 'from': ['authorization'], 'json': 'authorization_code'},
    {'name': 'most_recent_invoice_code', 'type': 'string', 'from': ['most_recent_invoice'], 'json': 'invoice_code'},
    {'name': 'most_recent_invoice_status', 'type': 'string', 'from': ['most_recent_invoice'], 'json': 'status'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'updated_at', 'type': 'timestamp', 'from': ['updatedAt', 'updated_at']},
  ]) }}
),

latest as (
  {{ paystack_latest('unioned', 'subscription_id', 'updated_at') }}
)

select
  source_relation,
  subscription_id,
  subscription_code,
  status,
  amount,
  {{ paystack_major('amount') }} as amount_major,
  quantity,
  -- `start` is Unix seconds.
  {{ dbt.dateadd('second', 'start_unix', "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }} as started_at,
  invoice_limit,
  payments_count,
  cron_expression,
  next_payment_date,
  plan_id,
  plan_code,
  plan_interval,
  plan_currency,
  customer_id,
  customer_code,
  authorization_code,
  most_recent_invoice_code,
  most_recent_invoice_status,
  created_at,
  updated_at,
  _airbyte_extracted_at
from latest
