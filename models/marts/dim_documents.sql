with

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

final as (

    select
        document_id,
        file_name,
        title,
        publisher,
        published_at,
        url,
        language,
        sha256,
        subject_companies,
        encoding,
        char_count,
        is_stale,
    from documents

)

select * from final
