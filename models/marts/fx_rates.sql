with

fx_rates as (

    select * from {{ ref('int_fx_rates_unioned') }}

),

final as (

    select
        rate_date,
        base_currency,
        quote_currency,
        rate,
        rate_source as source,
        source_kind,
        document_id,
        quote,
    from fx_rates

)

select * from final
