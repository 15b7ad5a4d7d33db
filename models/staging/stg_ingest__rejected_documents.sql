with

source as (

    select * from {{ source('ingest', 'ingest_rejected_documents') }}

),

renamed as (

    select
        file_name,
        reason,
        coalesce(detail, '') as detail,
        coalesce(check_name, '') as check_name,
    from source

)

select * from renamed
