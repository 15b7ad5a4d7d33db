{#
    The interval of magnitudes (absolute values) a stated figure allows.
    Bounds apply to the magnitude as written: 亏损超62亿 (-6.2e9, lower_bound) means a loss of at least 6.2e9.
    exact / approx: |value| ± tolerance; lower_bound: [|value|, +inf); upper_bound: [0, |value|].
#}
{% macro magnitude_low(value, qualifier, tolerance) -%}
    case
        when {{ qualifier }} = 'upper_bound' then 0.0
        when {{ qualifier }} = 'lower_bound' then abs({{ value }})
        else greatest(abs({{ value }}) - ({{ tolerance }}), 0.0)
    end
{%- endmacro %}

{% macro magnitude_high(value, qualifier, tolerance) -%}
    case
        when {{ qualifier }} = 'lower_bound' then cast('infinity' as double)
        when {{ qualifier }} = 'upper_bound' then abs({{ value }})
        else abs({{ value }}) + ({{ tolerance }})
    end
{%- endmacro %}
