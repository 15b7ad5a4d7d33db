{#
    Half a unit of the last digit written, in the units of `value`, from the facts ingest wrote down:
    `written_number` (the first number written in value_text, digits folded) and `decimals_written`.

    The scale (亿 = 1e8, 万 = 1e4, 港仙 = 0.01 ...) is not parsed from the words: it is the power of ten
    that turns the written number into the stored value (|value| / written_number), so the rule works for
    any scale word in either script. When no arabic number is written (第四, 七成) the value is assumed
    written to its leading digit.
#}
{% macro rounding_tolerance(value, written_number, decimals_written) %}
    case
        when {{ value }} is null or {{ value }} = 0 then 0.0
        when coalesce({{ written_number }}, 0) > 0
            then 0.5
            * pow(10.0, -{{ decimals_written }})
            * pow(10.0, round(log10(abs({{ value }}) / {{ written_number }})))
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
