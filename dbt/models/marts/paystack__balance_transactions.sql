-- One row per balance ledger entry, with the record it stands for.
-- model_responsible names the kind of record (Transaction, Refund, Transfer,
-- Settlement, Dispute are assumed; Paystack does not list its values) and
-- model_row its id; other kinds keep entry_type and no related record.

with ledger as (
  select * from {{ ref('stg_paystack__balance_history') }}
),

transactions as (
  select * from {{ ref('stg_paystack__transactions') }}
),

refunds as (
  select * from {{ ref('stg_paystack__refunds') }}
),

transfers as (
  select * from {{ ref('stg_paystack__transfers') }}
),

settlements as (
  select * from {{ ref('stg_paystack__settlements') }}
),

disputes as (
  select * from {{ ref('stg_paystack__disputes') }}
)

select
  ledger.source_relation,
  ledger.ledger_entry_id,
  ledger.created_at,
  ledger.currency,
  ledger.entry_type,
  ledger.model_row,
  ledger.reason,
  ledger.difference as amount,
  ledger.difference_major as amount_major,
  ledger.balance_before,
  ledger.balance as balance_after,
  ledger.balance_major as balance_after_major,
  transactions.transaction_id,
  refunds.refund_id,
  transfers.transfer_id,
  settlements.settlement_id,
  disputes.dispute_id,
  coalesce(transactions.status, refunds.status, transfers.status, settlements.status, disputes.status) as related_status,
  coalesce(transactions.reference, transfers.reference, refunds.transaction_reference) as related_reference,
  coalesce(transactions.customer_id, refunds.customer_id, disputes.customer_id) as customer_id,
  coalesce(transactions.amount, refunds.amount, transfers.amount, settlements.total_processed, disputes.transaction_amount) as related_amount,
  -- The fee Paystack charged for the record: a charge's fees, a transfer's
  -- fee_charged, a settlement's total_fees; refunds and disputes carry none.
  coalesce(transactions.fees, transfers.fee_charged, settlements.total_fees) as fee,
  {{ paystack_major('coalesce(transactions.fees, transfers.fee_charged, settlements.total_fees)') }} as fee_major,
  coalesce(transactions.transaction_id, refunds.refund_id, transfers.transfer_id, settlements.settlement_id, disputes.dispute_id) is not null as has_related_record
from ledger
{%- for kind, related, key in [
  ('transaction', 'transactions', 'transaction_id'),
  ('refund', 'refunds', 'refund_id'),
  ('transfer', 'transfers', 'transfer_id'),
  ('settlement', 'settlements', 'settlement_id'),
  ('dispute', 'disputes', 'dispute_id'),
] %}
left join {{ related }}
  on ledger.entry_type = '{{ kind }}'
  and {{ related }}.source_relation = ledger.source_relation
  and {{ related }}.{{ key }} = ledger.model_row
{%- endfor %}
