-- One row per subscription and calendar month it was live in, from the
-- month it started to the month it ended (or the last month of the data).
-- A subscription's monthly amount is its amount scaled to a month by its
-- plan's interval. `attention` (a payment failed) counts as live.
--
-- Paystack's list record need not say when a subscription ended (the List
-- Subscriptions sample has neither cancelledAt nor updatedAt), so its end
-- is the first of these the record has, best evidence first (ended_by
-- names the one used):
--   cancelled, completed: cancelledAt; updatedAt; the most recent invoice's
--     period (its end when paid, else its start: the period it was not paid
--     for is not served); start plus payments_count plan intervals (the
--     periods paid for); its creation.
--   non-renewing: next_payment_date (it runs to it); the invoice period;
--     the periods paid for; updatedAt; its creation.

{%- set as_of = var('paystack_mrr_as_of') %}
{%- set end_evidence = {
  'closed': ['cancelled_at', 'updated_at', 'invoice_period', 'paid_periods', 'created_at'],
  'non_renewing': ['next_payment_date', 'invoice_period', 'paid_periods', 'updated_at', 'created_at'],
} %}

with subscriptions as (
  select * from {{ ref('stg_paystack__subscriptions') }}
),

plans as (
  select * from {{ ref('stg_paystack__plans') }}
),

joined as (
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
    subscriptions.payments_count,
    subscriptions.cancelled_at,
    subscriptions.updated_at,
    subscriptions.next_payment_date,
    subscriptions.created_at,
    case
      when coalesce(subscriptions.most_recent_invoice_paid, subscriptions.most_recent_invoice_status = 'success')
        then subscriptions.most_recent_invoice_period_end
      else subscriptions.most_recent_invoice_period_start
    end as invoice_period
  from subscriptions
  left join plans
    on plans.source_relation = subscriptions.source_relation
    and plans.plan_id = subscriptions.plan_id
),

evidence as (
  select
    joined.*,
    -- The end of the last period paid for: payments_count plan intervals
    -- after the start.
    case plan_interval
      when 'hourly' then {{ dbt.dateadd('hour', 'payments_count', 'started_at') }}
      when 'daily' then {{ dbt.dateadd('day', 'payments_count', 'started_at') }}
      when 'weekly' then {{ dbt.dateadd('day', '7 * payments_count', 'started_at') }}
      when 'monthly' then {{ dbt.dateadd('month', 'payments_count', 'started_at') }}
      when 'quarterly' then {{ dbt.dateadd('month', '3 * payments_count', 'started_at') }}
      when 'biannually' then {{ dbt.dateadd('month', '6 * payments_count', 'started_at') }}
      when 'annually' then {{ dbt.dateadd('month', '12 * payments_count', 'started_at') }}
    end as paid_periods
  from joined
),

enriched as (
  select
    evidence.*,
    case
      when status in ('cancelled', 'completed')
        then coalesce({{ end_evidence['closed'] | join(', ') }})
      when status = 'non-renewing'
        then coalesce({{ end_evidence['non_renewing'] | join(', ') }})
    end as ended_at,
    case
      when status in ('cancelled', 'completed') then case
        {%- for e in end_evidence['closed'] %}
        when {{ e }} is not null then '{{ e }}'
        {%- endfor %}
      end
      when status = 'non-renewing' then case
        {%- for e in end_evidence['non_renewing'] %}
        when {{ e }} is not null then '{{ e }}'
        {%- endfor %}
      end
    end as ended_by
  from evidence
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
  ended_at,
  ended_by
from months
