-- One row per business, currency and month: monthly recurring revenue from
-- paystack__subscription_periods, new and churned subscriptions, and the
-- payment requests (Paystack's `invoices`: one-off, not subscription
-- invoices) paid in the month, beside it.

with periods as (
  select * from {{ ref('paystack__subscription_periods') }}
),

by_month as (
  select
    source_relation,
    currency,
    month_start,
    sum(mrr) as mrr,
    sum(case when not is_churn_month then 1 else 0 end) as active_subscriptions,
    sum(case when is_first_month then 1 else 0 end) as new_subscriptions,
    sum(case when is_first_month and not is_churn_month then monthly_amount else 0 end) as new_mrr,
    sum(case when is_churn_month then 1 else 0 end) as churned_subscriptions,
    sum(case when is_churn_month then monthly_amount else 0 end) as churned_mrr
  from periods
  group by 1, 2, 3
),

invoices as (
  select
    source_relation,
    currency,
    cast({{ dbt.date_trunc('month', 'paid_at') }} as date) as month_start,
    count(*) as invoices_paid,
    sum(amount) as invoices_paid_amount
  from {{ ref('stg_paystack__invoices') }}
  where paid and paid_at is not null
  group by 1, 2, 3
),

with_previous as (
  select
    by_month.*,
    lag(mrr) over (partition by source_relation, currency order by month_start) as previous_mrr,
    lag(active_subscriptions) over (partition by source_relation, currency order by month_start) as previous_active_subscriptions
  from by_month
)

select
  with_previous.source_relation,
  with_previous.currency,
  with_previous.month_start,
  with_previous.mrr,
  {{ paystack_major('with_previous.mrr') }} as mrr_major,
  coalesce(with_previous.previous_mrr, 0) as starting_mrr,
  with_previous.new_mrr,
  with_previous.churned_mrr,
  with_previous.active_subscriptions,
  with_previous.new_subscriptions,
  with_previous.churned_subscriptions,
  -- Churned subscriptions over those live at the end of the month before.
  cast(with_previous.churned_subscriptions as {{ dbt.type_numeric() }})
    / nullif(with_previous.previous_active_subscriptions, 0) as subscription_churn_rate,
  coalesce(invoices.invoices_paid, 0) as invoices_paid,
  coalesce(invoices.invoices_paid_amount, 0) as invoices_paid_amount
from with_previous
left join invoices
  on invoices.source_relation = with_previous.source_relation
  and invoices.currency = with_previous.currency
  and invoices.month_start = with_previous.month_start
