with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_discovered_companies') }}
    {% else %}
    select * from {{ ref('ingest_discovered_companies') }}
    {% endif %}

),

renamed as (

    select
        cast(company_id as varchar) as company_id,
        cast(name_zh as varchar) as name_zh,
        coalesce(cast(name_zh_hant as varchar), '') as name_zh_hant,
        coalesce(cast(exchange as varchar), '') as exchange,
        coalesce(cast(ticker as varchar), '') as ticker,
        cast(first_document_id as varchar) as first_document_id,
        coalesce(cast(evidence as varchar), '') as evidence,
    from source

)

select * from renamed
