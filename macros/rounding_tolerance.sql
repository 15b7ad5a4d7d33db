{#
    Half a unit of the last digit written in `value_text`, in the units of `value`.

    The scale (亿 = 1e8, 万 = 1e4, 港仙 = 0.01 ...) is not parsed from the words: it is the power of ten
    that turns the written number into the stored value (|value| / written number), so the rule works for
    any scale word in either script. Full-width digits are folded first. When the text holds no arabic
    number (第四, 七成) the value is assumed written to its leading digit.
#}
{% macro written_number(value_text) %}
    try_cast(
        regexp_extract(
            replace(translate({{ value_text }}, '０１２３４５６７８９．，', '0123456789.,'), ',', ''),
            '[0-9]+(\.[0-9]+)?'
        ) as double
    )
{%- endmacro %}

{% macro written_decimals(value_text) %}
    coalesce(
        length(
            regexp_extract(
                replace(translate({{ value_text }}, '０１２３４５６７８９．，', '0123456789.,'), ',', ''),
                '[0-9]+\.([0-9]+)',
                1
            )
        ),
        0
    )
{%- endmacro %}

{% macro rounding_tolerance(value_text, value) %}
    case
        when {{ value }} is null or {{ value }} = 0 then 0.0
        when coalesce({{ written_number(value_text) }}, 0) > 0
            then 0.5
            * pow(10.0, -{{ written_decimals(value_text) }})
            * pow(10.0, round(log10(abs({{ value }}) / {{ written_number(value_text) }})))
        else 0.5 * pow(10.0, floor(log10(abs({{ value }}))))
    end
{%- endmacro %}

{# Lower priority number = more trusted qualifier when choosing among sources. #}
{% macro qualifier_priority(qualifier) %}
    case {{ qualifier }}
        when 'exact' then 1
        when 'approx' then 2
        else 3
    end
{%- endmacro %}
