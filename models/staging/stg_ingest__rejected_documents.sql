with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_rejected_documents') }}
    {% else %}
    select * from {{ ref('ingest_rejected_documents') }}
    {% endif %}

),

renamed as (

    select
        cast(file_name as varchar) as file_name,
        cast(reason as varchar) as reason,
        coalesce(cast(detail as varchar), '') as detail,
        coalesce(cast(check_name as varchar), '') as check_name,
    from source

)

select * from renamed
