with

source as (

    select * from {{ source('ingest', 'ingest_discovered_companies') }}

),

renamed as (

    select
        company_id,
        name_zh,
        coalesce(name_zh_hant, '') as name_zh_hant,
        coalesce(exchange, '') as exchange,
        coalesce(ticker, '') as ticker,
        first_document_id,
        coalesce(evidence, '') as evidence,
    from source

)

select * from renamed
