with

figures as (

    select * from {{ ref('int_figures_converted_to_cny') }}

),

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

final as (

    select
        figures.figure_id,
        figures.document_id,
        figures.company_id,
        figures.table_name,
        figures.metric,
        figures.dimension,
        figures.period_type,
        figures.period_start,
        figures.period_end,
        figures.period_label,
        figures.value,
        figures.unit,
        figures.currency,
        figures.value_cny,
        figures.qualifier,
        figures.char_start,
        figures.char_end,
        figures.quote,
        figures.is_override,
        figures.value_text,
        {{ rounding_tolerance('figures.value', 'figures.written_number', 'figures.decimals_written') }}
            as rounding_tolerance,
        figures.converted_value,
        figures.converted_currency,
        figures.fx_rate_used,
        figures.fx_rate_date,
        figures.fx_rate_source,
        figures.value_cny_null_reason,
        figures.override_reason,
        figures.extraction_rule,
        coalesce(documents.is_stale, false) as is_stale,
    from figures
    left join documents
        on figures.document_id = documents.document_id

)

select * from final
