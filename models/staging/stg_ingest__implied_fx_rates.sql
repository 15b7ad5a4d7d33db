with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_implied_fx_rates') }}
    {% else %}
    select * from {{ ref('ingest_implied_fx_rates') }}
    {% endif %}

),

renamed as (

    select
        cast(rate_date as date) as rate_date,
        cast(base_currency as varchar) as base_currency,
        cast(quote_currency as varchar) as quote_currency,
        cast(rate as double) as rate,
        cast(source as varchar) as rate_source,
        cast(document_id as varchar) as document_id,
        cast(quote as varchar) as quote,
    from source

)

select * from renamed
