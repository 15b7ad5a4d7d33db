with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_figures') }}
    {% else %}
    select * from {{ ref('ingest_figures') }}
    {% endif %}

),

renamed as (

    select
        cast(figure_id as varchar) as figure_id,
        cast(document_id as varchar) as document_id,
        cast(company_id as varchar) as company_id,
        cast(table_name as varchar) as table_name,
        cast(metric as varchar) as metric,
        coalesce(cast(dimension as varchar), '') as dimension,
        cast(period_type as varchar) as period_type,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(period_label as varchar) as period_label,
        cast(value as double) as value,
        cast(unit as varchar) as unit,
        coalesce(cast(currency as varchar), '') as currency,
        cast(qualifier as varchar) as qualifier,
        coalesce(cast(value_text as varchar), '') as value_text,
        cast(char_start as bigint) as char_start,
        cast(char_end as bigint) as char_end,
        cast(quote as varchar) as quote,
        cast(converted_value as double) as converted_value,
        coalesce(cast(converted_currency as varchar), '') as converted_currency,
        coalesce(cast(rule as varchar), '') as extraction_rule,
    from source

)

select * from renamed
