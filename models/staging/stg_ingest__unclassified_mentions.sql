with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_unclassified_mentions') }}
    {% else %}
    select * from {{ ref('ingest_unclassified_mentions') }}
    {% endif %}

),

renamed as (

    select
        cast(mention_id as varchar) as mention_id,
        cast(document_id as varchar) as document_id,
        coalesce(cast(company_id as varchar), '') as company_id,
        cast(value as double) as value,
        coalesce(cast(unit as varchar), '') as unit,
        coalesce(cast(currency as varchar), '') as currency,
        coalesce(cast(value_text as varchar), '') as value_text,
        cast(char_start as bigint) as char_start,
        cast(char_end as bigint) as char_end,
        cast(quote as varchar) as quote,
        cast(reason as varchar) as reason,
    from source

)

select * from renamed
