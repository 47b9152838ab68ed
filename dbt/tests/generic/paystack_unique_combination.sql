{#- Fails on each combination of `columns` found in more than one row (a
    model's grain: an id is unique within its business, source_relation). -#}
{% test paystack_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
