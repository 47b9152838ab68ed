-- One row per business, day (UTC) and currency with any activity: charges
-- by creation day (volume and fees of the successful ones), refunds and
-- disputes by creation day, successful transfers by creation day.

with transactions as (
  select
    source_relation,
    cast({{ dbt.date_trunc('day', 'created_at') }} as date) as date_day,
    currency,
    count(*) as transactions,
    sum(case when status = 'success' then 1 else 0 end) as successful_transactions,
    sum(case when status = 'failed' then 1 else 0 end) as failed_transactions,
    sum(case when status = 'abandoned' then 1 else 0 end) as abandoned_transactions,
    sum(case when status = 'success' then amount else 0 end) as gross_volume,
    sum(case when status = 'success' then coalesce(fees, 0) else 0 end) as fees
  from {{ ref('stg_paystack__transactions') }}
  group by 1, 2, 3
),

refunds as (
  select
    source_relation,
    cast({{ dbt.date_trunc('day', 'created_at') }} as date) as date_day,
    currency,
    count(*) as refunds,
    sum(amount) as refunded_amount
  from {{ ref('stg_paystack__refunds') }}
  where status is null or status <> 'failed'
  group by 1, 2, 3
),

disputes as (
  select
    source_relation,
    cast({{ dbt.date_trunc('day', 'created_at') }} as date) as date_day,
    currency,
    count(*) as disputes,
    sum(transaction_amount) as disputed_amount
  from {{ ref('stg_paystack__disputes') }}
  group by 1, 2, 3
),

transfers as (
  select
    source_relation,
    cast({{ dbt.date_trunc('day', 'created_at') }} as date) as date_day,
    currency,
    count(*) as transfers,
    sum(amount) as transferred_amount,
    sum(coalesce(fee_charged, 0)) as transfer_fees
  from {{ ref('stg_paystack__transfers') }}
  where status = 'success'
  group by 1, 2, 3
),

days as (
  select source_relation, date_day, currency from transactions
  union
  select source_relation, date_day, currency from refunds
  union
  select source_relation, date_day, currency from disputes
  union
  select source_relation, date_day, currency from transfers
)

select
  days.source_relation,
  days.date_day,
  days.currency,
  coalesce(transactions.transactions, 0) as transactions,
  coalesce(transactions.successful_transactions, 0) as successful_transactions,
  coalesce(transactions.failed_transactions, 0) as failed_transactions,
  coalesce(transactions.abandoned_transactions, 0) as abandoned_transactions,
  coalesce(transactions.gross_volume, 0) as gross_volume,
  {{ paystack_major('coalesce(transactions.gross_volume, 0)') }} as gross_volume_major,
  coalesce(transactions.fees, 0) as fees,
  coalesce(transactions.gross_volume, 0) - coalesce(transactions.fees, 0) as net_volume,
  coalesce(refunds.refunds, 0) as refunds,
  coalesce(refunds.refunded_amount, 0) as refunded_amount,
  coalesce(disputes.disputes, 0) as disputes,
  coalesce(disputes.disputed_amount, 0) as disputed_amount,
  coalesce(transfers.transfers, 0) as transfers,
  coalesce(transfers.transferred_amount, 0) as transferred_amount,
  coalesce(transfers.transfer_fees, 0) as transfer_fees
from days
left join transactions
  on transactions.source_relation = days.source_relation
  and transactions.date_day = days.date_day
  and transactions.currency = days.currency
left join refunds
  on refunds.source_relation = days.source_relation
  and refunds.date_day = days.date_day
  and refunds.currency = days.currency
left join disputes
  on disputes.source_relation = days.source_relation
  and disputes.date_day = days.date_day
  and disputes.currency = days.currency
left join transfers
  on transfers.source_relation = days.source_relation
  and transfers.date_day = days.date_day
  and transfers.currency = days.currency
