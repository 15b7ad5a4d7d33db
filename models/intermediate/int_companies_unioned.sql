with

reference_companies as (

    select * from {{ ref('stg_reference__companies') }}

),

discovered_companies as (

    select * from {{ ref('stg_ingest__discovered_companies') }}

),

-- a company the reference seed already knows is never duplicated by a discovery
discovered_only as (

    select
        discovered_companies.company_id,
        discovered_companies.name_zh,
        discovered_companies.name_zh_hant,
        '' as name_en,
        '' as aliases,
        discovered_companies.exchange,
        discovered_companies.ticker,
        cast(null as date) as listed_on,
        '' as sector,
        '' as source_url,
        false as is_reviewed,
        discovered_companies.first_document_id,
        discovered_companies.evidence,
    from discovered_companies
    anti join reference_companies
        on discovered_companies.company_id = reference_companies.company_id
    qualify row_number() over (
        partition by discovered_companies.company_id
        order by discovered_companies.first_document_id
    ) = 1

),

unioned as (

    select
        company_id,
        name_zh,
        name_zh_hant,
        name_en,
        aliases,
        exchange,
        ticker,
        listed_on,
        sector,
        source_url,
        true as is_reviewed,
        cast(null as varchar) as first_document_id,
        '' as evidence,
    from reference_companies

    union all

    select * from discovered_only

)

select * from unioned
