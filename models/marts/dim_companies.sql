with

companies as (

    select * from {{ ref('int_companies_unioned') }}

),

final as (

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
        is_reviewed,
        first_document_id,
        evidence,
    from companies

)

select * from final
