{#
    Verdict of a reconciliation check: the stated figure's allowed magnitudes (value ± its rounding
    tolerance, or the open side of a bound) overlap the computed value ± the tolerance propagated from the
    rounding of its inputs, and the signs agree.
#}
{% macro check_passes(stated, qualifier, stated_tolerance, computed, computed_tolerance) -%}
    (
        ({{ computed }}) is not null
        and sign({{ stated }}) * sign({{ computed }}) >= 0
        and {{ magnitude_low(stated, qualifier, stated_tolerance) }}
        <= abs({{ computed }}) + ({{ computed_tolerance }})
        and abs({{ computed }}) - ({{ computed_tolerance }})
        <= {{ magnitude_high(stated, qualifier, stated_tolerance) }}
    )
{%- endmacro %}

{# The tolerance reported beside a check: a bound's own digits give no slack, only the computed side does. #}
{% macro check_tolerance(qualifier, stated_tolerance, computed_tolerance) -%}
    case
        when {{ qualifier }} in ('lower_bound', 'upper_bound') then ({{ computed_tolerance }})
        else ({{ stated_tolerance }}) + ({{ computed_tolerance }})
    end
{%- endmacro %}
