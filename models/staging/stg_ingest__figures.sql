with

source as (

    select * from {{ source('ingest', 'ingest_figures') }}

),

renamed as (

    select
        figure_id,
        document_id,
        company_id,
        table_name,
        metric,
        coalesce(dimension, '') as dimension,
        period_type,
        period_start,
        period_end,
        period_label,
        value,
        unit,
        coalesce(currency, '') as currency,
        qualifier,
        coalesce(value_text, '') as value_text,
        char_start,
        char_end,
        quote,
        converted_value,
        coalesce(converted_currency, '') as converted_currency,
        coalesce(rule, '') as extraction_rule,
        written_number,
        coalesce(decimals_written, 0) as decimals_written,
        coalesce(dimension_kind, '') as dimension_kind,
        coalesce(dimension_value, '') as dimension_value,
        implied_fx_rate_id,
    from source

)

select * from renamed
