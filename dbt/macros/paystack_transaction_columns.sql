{#- The columns of a charge, as `transactions` and `settlement_transactions`
    land it (the same object at Paystack). -#}
{% macro paystack_transaction_columns() %}
  {{ return([
    {'name': 'transaction_id', 'type': 'bigint', 'from': ['id']},
    {'name': 'reference', 'type': 'string'},
    {'name': 'status', 'type': 'string'},
    {'name': 'amount', 'type': 'bigint'},
    {'name': 'requested_amount', 'type': 'bigint'},
    {'name': 'fees', 'type': 'bigint'},
    {'name': 'currency', 'type': 'string'},
    {'name': 'channel', 'type': 'string'},
    {'name': 'gateway_response', 'type': 'string'},
    {'name': 'order_id', 'type': 'bigint'},
    {'name': 'customer_id', 'type': 'bigint', 'from': ['customer'], 'json': 'id'},
    {'name': 'customer_code', 'type': 'string', 'from': ['customer'], 'json': 'customer_code'},
    {'name': 'customer_email', 'type': 'string', 'from': ['customer'], 'json': 'email'},
    {'name': 'authorization_code', 'type': 'string', 'from': ['authorization'], 'json': 'authorization_code'},
    {'name': 'plan_id', 'type': 'bigint', 'from': ['plan'], 'json': 'id'},
    {'name': 'plan_code', 'type': 'string', 'from': ['plan'], 'json': 'plan_code'},
    {'name': 'subaccount_code', 'type': 'string', 'from': ['subaccount'], 'json': 'subaccount_code'},
    {'name': 'split_code', 'type': 'string', 'from': ['split'], 'json': 'split_code'},
    {'name': 'created_at', 'type': 'timestamp', 'from': ['createdAt', 'created_at']},
    {'name': 'paid_at', 'type': 'timestamp', 'from': ['paidAt', 'paid_at']},
  ]) }}
{% endmacro %}

{#- The columns of a staging model of charges, from the CTE `latest`. -#}
{% macro paystack_transaction_select() %}
    source_relation,
    transaction_id,
    reference,
    status,
    amount,
    {{ paystack_major('amount') }} as amount_major,
    requested_amount,
    fees,
    {{ paystack_major('fees') }} as fees_major,
    amount - coalesce(fees, 0) as net_amount,
    currency,
    channel,
    gateway_response,
    order_id,
    customer_id,
    customer_code,
    customer_email,
    authorization_code,
    plan_id,
    plan_code,
    subaccount_code,
    split_code,
    created_at,
    paid_at,
    _airbyte_extracted_at
{%- endmacro %}
