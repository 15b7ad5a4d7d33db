with

rejected as (

    select * from {{ ref('stg_ingest__rejected_documents') }}

),

final as (

    select
        file_name,
        reason,
        detail,
        check_name,
    from rejected

)

select * from final
