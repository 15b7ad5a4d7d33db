with

source as (

    select * from {{ ref('ref_companies') }}

),

renamed as (

    select
        cast(company_id as varchar) as company_id,
        cast(name_zh as varchar) as name_zh,
        coalesce(cast(name_zh_hant as varchar), '') as name_zh_hant,
        coalesce(cast(name_en as varchar), '') as name_en,
        coalesce(cast(aliases as varchar), '') as aliases,
        coalesce(cast(exchange as varchar), '') as exchange,
        coalesce(cast(ticker as varchar), '') as ticker,
        cast(listed_on as date) as listed_on,
        coalesce(cast(sector as varchar), '') as sector,
        coalesce(cast(source_url as varchar), '') as source_url,
    from source

)

select * from renamed
