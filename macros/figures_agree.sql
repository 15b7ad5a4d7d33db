{#
    Do two statements of one figure agree? Magnitudes (absolute values) in the same unit.
    - two values (exact / approx): they agree when they are equal once the more precise one is rounded to the
      precision of the other: |a - b| <= the larger of the two rounding tolerances.
    - a bound reads as "N and a bit": 超43亿 covers [43亿, 44亿], 不足5万 covers [4万, 5万] — one unit of its
      last significant digit (trailing zeros of a whole number are not significant: 突破220亿 covers
      [220亿, 230亿]). A value or bound agrees with it when their ranges overlap.
    So 约45亿 vs 超43亿 disagree (flagged for review) while 51.36亿 vs 超51亿 and 131.25亿 vs 突破130亿 agree.
#}
{% macro bound_span(value, written_number, decimals_written) %}
    2 * {{ rounding_tolerance(value, written_number, decimals_written) }}
    * case
        when {{ decimals_written }} = 0 and coalesce({{ written_number }}, 0) >= 10
            then pow(
                10.0,
                length(cast(cast({{ written_number }} as bigint) as varchar))
                - length(rtrim(cast(cast({{ written_number }} as bigint) as varchar), '0'))
            )
        else 1.0
    end
{%- endmacro %}

{% macro statement_low(magnitude, qualifier, tolerance, span) %}
    case {{ qualifier }}
        when 'lower_bound' then {{ magnitude }}
        when 'upper_bound' then {{ magnitude }} - ({{ span }})
        else {{ magnitude }} - ({{ tolerance }})
    end
{%- endmacro %}

{% macro statement_high(magnitude, qualifier, tolerance, span) %}
    case {{ qualifier }}
        when 'lower_bound' then {{ magnitude }} + ({{ span }})
        when 'upper_bound' then {{ magnitude }}
        else {{ magnitude }} + ({{ tolerance }})
    end
{%- endmacro %}

{% macro statements_agree(a, a_qualifier, a_tolerance, a_span, b, b_qualifier, b_tolerance, b_span, slack) %}
    case
        when {{ a_qualifier }} in ('exact', 'approx') and {{ b_qualifier }} in ('exact', 'approx')
            then abs({{ a }} - {{ b }})
            <= greatest({{ a_tolerance }}, {{ b_tolerance }}) + ({{ slack }}) + 1e-9 * greatest({{ a }}, {{ b }})
        else
            greatest(
                {{ statement_low(a, a_qualifier, a_tolerance, a_span) }},
                {{ statement_low(b, b_qualifier, b_tolerance, b_span) }}
            )
            <= least(
                {{ statement_high(a, a_qualifier, a_tolerance, a_span) }},
                {{ statement_high(b, b_qualifier, b_tolerance, b_span) }}
            ) + ({{ slack }}) + 1e-9 * greatest({{ a }}, {{ b }})
    end
{%- endmacro %}
