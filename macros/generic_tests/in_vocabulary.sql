{#
    Fails with each value of the column that is not in the closed set `vocabulary` of the seed
    ref_vocabularies (seeds/reference/ref_vocabularies.csv): the one list that ingest
    (ingest/vocabulary.py) and the expectation suites are checked against too. Nulls pass (not_null
    tests say where a value is required); '' passes only with allow_empty.
    Usage:
        data_tests:
          - in_vocabulary:
              arguments:
                vocabulary: currency
                allow_empty: true
#}
{% test in_vocabulary(model, column_name, vocabulary, allow_empty=false) %}

select
    {{ column_name }} as value_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
    {% if allow_empty %}and {{ column_name }} <> ''{% endif %}
    and {{ column_name }} not in (
        -- the seed reads an empty cell as null: `not in` a set holding null would pass everything
        select vocabularies.value
        from {{ ref('ref_vocabularies') }} as vocabularies
        where vocabularies.vocabulary = '{{ vocabulary }}' and vocabularies.value is not null
    )
group by {{ column_name }}

{% endtest %}
