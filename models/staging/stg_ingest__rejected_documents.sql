with

source as (

    select * from {{ ref('ingest_rejected_documents') }}

),

renamed as (

    select
        cast(file_name as varchar) as file_name,
        cast(reason as varchar) as reason,
        coalesce(cast(detail as varchar), '') as detail,
    from source

)

select * from renamed
