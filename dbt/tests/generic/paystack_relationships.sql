{#- dbt's relationships test within one business: each non-null value of
    `column_name` is a `field` of `to` with the same source_relation (ids of
    two businesses may collide, and one business's record must not stand
    in for another's). -#}
{% test paystack_relationships(model, column_name, to, field) %}
select child.source_relation, child.{{ column_name }}
from {{ model }} as child
left join {{ to }} as parent
  on parent.source_relation = child.source_relation
  and parent.{{ field }} = child.{{ column_name }}
where child.{{ column_name }} is not null
  and parent.{{ field }} is null
{% endtest %}
