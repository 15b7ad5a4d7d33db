with

source as (

    select * from {{ source('ingest', 'ingest_documents') }}

),

renamed as (

    select
        document_id,
        file_name,
        coalesce(title, '') as title,
        coalesce(publisher, '') as publisher,
        published_at,
        coalesce(url, '') as url,
        language,
        coalesce(subject_companies, '') as subject_companies,
        sha256,
        encoding,
        char_count,
        coalesce(is_stale, false) as is_stale,
    from source

)

select * from renamed
