{#- The reconciled figures of one mart table (financials, kpis): one row per company x metric x
    period x dimension, as int_figures_deduplicated chose them. One macro so the two marts cannot
    drift apart; each mart's contract still lists its columns. -#}
{% macro reconciled_figures(table_name) %}

with

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}
    where table_name = '{{ table_name }}'

),

final as (

    select
        company_id,
        metric,
        dimension,
        period_type,
        period_start,
        period_end,
        period_label,
        value,
        unit,
        currency,
        value_cny,
        qualifier,
        value_text,
        rounding_tolerance,
        n_sources,
        n_mentions,
        has_conflict,
        conflicting_values,
        figure_id,
        source_figure_ids,
        document_id,
        published_at,
        char_start,
        char_end,
        quote,
        is_override,
        fx_rate_used,
        fx_rate_date,
        fx_rate_source,
        value_cny_null_reason,
    from resolved

)

select * from final

{% endmacro %}
