with

source as (

    select * from {{ source('ingest', 'ingest_shareholders') }}

),

renamed as (

    select
        holder_id,
        document_id,
        company_id,
        holder_name,
        coalesce(holder_name_en, '') as holder_name_en,
        holder_type,
        coalesce(parent_entity, '') as parent_entity,
        stake_pct,
        subscription_amount,
        coalesce(currency, '') as currency,
        qualifier,
        as_of,
        char_start,
        char_end,
        quote,
    from source

)

select * from renamed
