{#
    Fails with every row for which `expression` is not true (null counts as a failure).
    Usage (model or column level):
        data_tests:
          - expression_is_true:
              arguments:
                expression: "value_cny is not null or value_cny_null_reason <> ''"
#}
{% test expression_is_true(model, expression, where_clause=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% if where_clause %}
    and ({{ where_clause }})
{% endif %}

{% endtest %}
