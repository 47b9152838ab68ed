with unioned as (
  {{ paystack_union('transactions', paystack_transaction_columns()) }}
),

-- A charge has no updatedAt: the copy from the latest sync is the newest.
latest as (
  {{ paystack_latest('unioned', 'transaction_id') }}
)

select
  {{ paystack_transaction_select() }}
from latest
