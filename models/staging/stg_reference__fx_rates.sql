with

source as (

    select * from {{ ref('ref_fx_rates') }}

),

renamed as (

    select
        cast(rate_date as date) as rate_date,
        cast(base_currency as varchar) as base_currency,
        cast(quote_currency as varchar) as quote_currency,
        cast(rate as double) as rate,
        cast(source as varchar) as rate_source,
    from source

)

select * from renamed
