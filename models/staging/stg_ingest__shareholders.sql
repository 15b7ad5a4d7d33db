with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_shareholders') }}
    {% else %}
    select * from {{ ref('ingest_shareholders') }}
    {% endif %}

),

renamed as (

    select
        cast(holder_id as varchar) as holder_id,
        cast(document_id as varchar) as document_id,
        cast(company_id as varchar) as company_id,
        cast(holder_name as varchar) as holder_name,
        coalesce(cast(holder_name_en as varchar), '') as holder_name_en,
        cast(holder_type as varchar) as holder_type,
        coalesce(cast(parent_entity as varchar), '') as parent_entity,
        cast(stake_pct as double) as stake_pct,
        cast(subscription_amount as double) as subscription_amount,
        coalesce(cast(currency as varchar), '') as currency,
        cast(qualifier as varchar) as qualifier,
        cast(as_of as date) as as_of,
        cast(char_start as bigint) as char_start,
        cast(char_end as bigint) as char_end,
        cast(quote as varchar) as quote,
    from source

)

select * from renamed
