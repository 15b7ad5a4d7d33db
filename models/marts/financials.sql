-- One row per company × metric × dimension × period_label of the financial metrics: the figure
-- int_figures_deduplicated chose among the documents that state it, with its sources and conflicts.
-- kpis.sql selects the same columns for the operating metrics.
with

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}
    where table_name = 'financials'

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
