-- One row per subscription and calendar month it was live in, from the
-- month it started to the month it ended (or the last month of the data).
-- A subscription's monthly amount is its amount scaled to a month by its
-- plan's interval. Paystack's list record has no cancellation time: a
-- cancelled or completed subscription is taken to have ended at its last
-- update (updatedAt), a non-renewing one at its next payment date; without
-- either, at its creation. `attention` (a payment failed) counts as live.

{%- set as_of = var('paystack_mrr_as_of') %}

with subscriptions as (
  select * from {{ ref('stg_paystack__subscriptions') }}
),

plans as (
  select * from {{ ref('stg_paystack__plans') }}
),

enriched as (
  select
    subscriptions.source_relation,
    subscriptions.subscription_id,
    subscriptions.subscription_code,
    subscriptions.status,
    subscriptions.customer_id,
    coalesce(subscriptions.plan_id, plans.plan_id) as plan_id,
    coalesce(subscriptions.plan_code, plans.plan_code) as plan_code,
    coalesce(subscriptions.plan_interval, plans.plan_interval) as plan_interval,
    coalesce(subscriptions.plan_currency, plans.currency) as currency,
    subscriptions.amount * coalesce(subscriptions.quantity, 1) as amount,
    coalesce(subscriptions.started_at, subscriptions.created_at) as started_at,
    case
      when subscriptions.status in ('cancelled', 'completed')
        then coalesce(subscriptions.updated_at, subscriptions.created_at)
      when subscriptions.status = 'non-renewing'
        then coalesce(subscriptions.next_payment_date, subscriptions.updated_at, subscriptions.created_at)
    end as ended_at
  from subscriptions
  left join plans
    on plans.source_relation = subscriptions.source_relation
    and plans.plan_id = subscriptions.plan_id
),

monthly as (
  select
    enriched.*,
    cast(
      amount * case plan_interval
        when 'hourly' then 24 * 365 / 12.0
        when 'daily' then 365 / 12.0
        when 'weekly' then 52 / 12.0
        when 'monthly' then 1
        when 'quarterly' then 1 / 3.0
        when 'biannually' then 1 / 6.0
        when 'annually' then 1 / 12.0
      end
    as {{ dbt.type_numeric() }}) as monthly_amount,
    {{ dbt.date_trunc('month', 'started_at') }} as first_month,
    {{ dbt.date_trunc('month', 'ended_at') }} as end_month
  from enriched
),

last_month as (
  select
  {%- if as_of %}
    {{ dbt.date_trunc('month', "cast('" ~ as_of ~ "' as " ~ dbt.type_timestamp() ~ ")") }} as month_start
  {%- else %}
    {{ dbt.date_trunc('month', 'max(coalesce(ended_at, started_at))') }} as month_start
  from monthly
  {%- endif %}
),

months as (
  select
    monthly.*,
    {{ dbt.dateadd('month', 'numbers.n', 'monthly.first_month') }} as month_start
  from monthly
  cross join ({{ paystack_numbers() }}) as numbers
  cross join last_month
  where {{ dbt.dateadd('month', 'numbers.n', 'monthly.first_month') }}
    <= coalesce(monthly.end_month, last_month.month_start)
)

select
  source_relation,
  subscription_id,
  cast(month_start as date) as month_start,
  subscription_code,
  status,
  customer_id,
  plan_id,
  plan_code,
  plan_interval,
  currency,
  amount,
  monthly_amount,
  month_start = first_month as is_first_month,
  -- The month it ended in: it churned there and brings no MRR to it.
  coalesce(month_start = end_month, false) as is_churn_month,
  case when coalesce(month_start = end_month, false) then 0 else monthly_amount end as mrr,
  {{ paystack_major('case when coalesce(month_start = end_month, false) then 0 else monthly_amount end') }} as mrr_major,
  started_at,
  ended_at
from months
