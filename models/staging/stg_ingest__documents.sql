with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_documents') }}
    {% else %}
    select * from {{ ref('ingest_documents') }}
    {% endif %}

),

renamed as (

    select
        cast(document_id as varchar) as document_id,
        cast(file_name as varchar) as file_name,
        coalesce(cast(title as varchar), '') as title,
        coalesce(cast(publisher as varchar), '') as publisher,
        cast(published_at as date) as published_at,
        coalesce(cast(url as varchar), '') as url,
        cast(language as varchar) as language,
        coalesce(cast(subject_companies as varchar), '') as subject_companies,
        cast(sha256 as varchar) as sha256,
        cast(encoding as varchar) as encoding,
        cast(char_count as bigint) as char_count,
        coalesce(cast(is_stale as boolean), false) as is_stale,
    from source

)

select * from renamed
