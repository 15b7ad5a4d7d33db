with

reference_rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

implied_rates as (

    select * from {{ ref('stg_ingest__implied_fx_rates') }}

),

unioned as (

    select
        cast(null as varchar) as fx_rate_id,
        rate_date,
        base_currency,
        quote_currency,
        rate,
        rate_source,
        'reference' as source_kind,
        cast(null as varchar) as document_id,
        cast(null as varchar) as quote,
    from reference_rates

    union all

    select
        fx_rate_id,
        rate_date,
        base_currency,
        quote_currency,
        rate,
        rate_source,
        'implied' as source_kind,
        document_id,
        quote,
    from implied_rates

)

select * from unioned
